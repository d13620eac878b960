//! Long-running operations: a POST or PUT answered 202, followed to its end.

use std::fmt;
use std::time::Duration;

use failback_core::{Error, ErrorKind, JobError, ProviderError, Result};
use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::client::{parse, what, AsrClient, Reply};
use super::error::{clip, request_id, retry_after, MAX_MESSAGE_CHARS, PROVIDER};

/// The header of ARM's asynchronous-operation protocol.
const AZURE_ASYNC_OPERATION: &str = "azure-asyncoperation";

/// The shortest wait between two polls (a `Retry-After: 0` does not make a busy loop).
const MIN_POLL_DELAY: Duration = Duration::from_secs(1);

/// A long-running operation that ARM accepted: its final body when it came at once
/// (200), or what it takes to follow it (202): the `Location` and/or
/// `Azure-AsyncOperation` status URL, the `Retry-After` hint and, when the URL shows it,
/// the ASR job's name.
///
/// Both protocols are followed. With `Azure-AsyncOperation`, its status body
/// (`{"status": "InProgress" | "Succeeded" | "Failed" | "Canceled", "error": {…}}`) is
/// polled until terminal; a success then reads the final body from `Location` when
/// there is one (the spec's `final-state-via: location`), the resource itself for a PUT,
/// else the status body. With `Location` only, it is polled until it answers other than
/// 202. A failed or canceled operation is an [`ErrorKind::JobFailed`] error carrying the
/// operation's error code and message.
///
/// Each poll is an idempotent GET with the client's retries; the waits between polls
/// follow `Retry-After` (the last given), else the client's poll interval. [`Lro::wait`]
/// has no deadline of its own: the orchestrator's stage deadline bounds it.
pub struct Lro {
    client: AsrClient,
    what: String,
    method: Method,
    resource: Url,
    initial_status: u16,
    location: Option<Url>,
    async_operation: Option<Url>,
    retry_after: Option<Duration>,
    job_name: Option<String>,
    request_id: Option<String>,
    phase: Phase,
}

#[derive(Debug)]
enum Phase {
    AsyncOperation,
    Location,
    Resource,
    NothingToPoll,
    Done(Value),
    Failed(Box<ProviderError>),
}

impl fmt::Debug for Lro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lro")
            .field("what", &self.what)
            .field("initial_status", &self.initial_status)
            .field("location", &self.location.as_ref().map(Url::as_str))
            .field(
                "async_operation",
                &self.async_operation.as_ref().map(Url::as_str),
            )
            .field("retry_after", &self.retry_after)
            .field("job_name", &self.job_name)
            .field("request_id", &self.request_id)
            .field("done", &self.is_done())
            .finish()
    }
}

impl Lro {
    /// The operation of a first answer (2xx) to `method` on `resource`.
    pub(crate) fn started(
        client: AsrClient,
        method: Method,
        resource: Url,
        reply: Reply,
    ) -> Result<Lro> {
        let what = what(&method, &resource);
        let header = |name: &str| {
            reply
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let location_text = header(LOCATION.as_str());
        let async_text = header(AZURE_ASYNC_OPERATION);
        let job_name = location_text
            .as_deref()
            .and_then(job_name_of)
            .or_else(|| async_text.as_deref().and_then(job_name_of));
        // A status URL off the endpoint is not followed (the token would go there); the
        // job's name, when it shows, still lets the caller follow the job.
        let location = location_text.and_then(|l| client.url_for(&l, "Location").ok());
        let async_operation =
            async_text.and_then(|l| client.url_for(&l, "Azure-AsyncOperation").ok());
        let pending = reply.status == StatusCode::ACCEPTED
            || (reply.status == StatusCode::CREATED
                && (location.is_some() || async_operation.is_some()));
        let phase = if !pending {
            Phase::Done(body_value(&what, &reply.body)?)
        } else if async_operation.is_some() {
            Phase::AsyncOperation
        } else if location.is_some() {
            Phase::Location
        } else if method == Method::PUT {
            Phase::Resource
        } else {
            Phase::NothingToPoll
        };
        Ok(Lro {
            retry_after: retry_after(&reply.headers, client.clock().now()),
            request_id: request_id(&reply.headers),
            client,
            what,
            method,
            resource,
            initial_status: reply.status.as_u16(),
            location,
            async_operation,
            job_name,
            phase,
        })
    }

    /// An operation followed again from its status URLs (see [`AsrClient::resume_lro`]).
    pub(crate) fn resumed(
        client: AsrClient,
        location: Option<Url>,
        async_operation: Option<Url>,
    ) -> Result<Lro> {
        let (phase, resource) = match (&location, &async_operation) {
            (_, Some(a)) => (Phase::AsyncOperation, a.clone()),
            (Some(l), None) => (Phase::Location, l.clone()),
            (None, None) => {
                return Err(Error::provider(
                    PROVIDER,
                    ErrorKind::InvalidInput,
                    "a long-running operation is resumed from its Location or Azure-AsyncOperation URL: neither was given",
                ))
            }
        };
        let job_name = location
            .as_ref()
            .and_then(|u| job_name_of(u.as_str()))
            .or_else(|| {
                async_operation
                    .as_ref()
                    .and_then(|u| job_name_of(u.as_str()))
            });
        Ok(Lro {
            what: what(&Method::GET, &resource),
            client,
            // No PUT's resource to read at the end: a resumed operation ends on its URLs.
            method: Method::POST,
            resource,
            initial_status: StatusCode::ACCEPTED.as_u16(),
            location,
            async_operation,
            retry_after: None,
            job_name,
            request_id: None,
            phase,
        })
    }

    /// The status of the first answer: 200 (done at once), 201 or 202.
    pub fn initial_status(&self) -> u16 {
        self.initial_status
    }

    /// Whether the operation is over with a final body (see [`Lro::result`]).
    pub fn is_done(&self) -> bool {
        matches!(self.phase, Phase::Done(_))
    }

    /// The final body, once done (`null` when the service sent none).
    pub fn result(&self) -> Option<&Value> {
        match &self.phase {
            Phase::Done(v) => Some(v),
            _ => None,
        }
    }

    /// The `Location` status URL, when given (and on the endpoint).
    pub fn location(&self) -> Option<&Url> {
        self.location.as_ref()
    }

    /// The `Azure-AsyncOperation` status URL, when given (and on the endpoint).
    pub fn azure_async_operation(&self) -> Option<&Url> {
        self.async_operation.as_ref()
    }

    /// The last `Retry-After` the service gave.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The ASR job's name, when a status URL shows it: `…/operationresults/{jobName}?…`
    /// (what Az PowerShell reads) or `…/replicationJobs/{jobName}`. Follow it with
    /// `GET {vault}/replicationJobs/{jobName}`.
    pub fn job_name(&self) -> Option<&str> {
        self.job_name.as_deref()
    }

    /// The request id of the first answer.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How long [`Lro::wait`] sleeps before the next poll.
    pub fn next_delay(&self) -> Duration {
        self.retry_after
            .unwrap_or(self.client.poll_interval())
            .max(MIN_POLL_DELAY)
    }

    /// Poll once, now: the final body when the operation is over, `None` while it
    /// runs, an error when it failed (every later poll gives the same error) or a poll
    /// failed past its retries.
    pub async fn poll(&mut self) -> Result<Option<Value>> {
        loop {
            if let Some(end) = self.settled() {
                return end.map(Some);
            }
            match &self.phase {
                Phase::Done(_) | Phase::Failed(_) | Phase::NothingToPoll => {}
                Phase::AsyncOperation => {
                    let Some(url) = self.async_operation.clone() else {
                        self.phase = Phase::NothingToPoll;
                        continue;
                    };
                    let reply = self.get(&url).await?;
                    let poll_what = what(&Method::GET, &url);
                    let body: Value = if reply.body.is_empty() {
                        Value::Null
                    } else {
                        parse(&poll_what, &reply.body)?
                    };
                    let Some(status) = body.get("status").and_then(Value::as_str) else {
                        if reply.status == StatusCode::ACCEPTED {
                            return Ok(None);
                        }
                        return Err(Error::provider(
                            PROVIDER,
                            ErrorKind::Other,
                            format!(
                                "{poll_what}: the operation status has no `status`; the body begins: {}",
                                super::error::snippet(&reply.body)
                            ),
                        ));
                    };
                    match status.to_ascii_lowercase().as_str() {
                        "succeeded" => {
                            self.phase = if self.location.is_some() {
                                Phase::Location
                            } else if self.method == Method::PUT {
                                Phase::Resource
                            } else {
                                Phase::Done(body)
                            };
                        }
                        "failed" | "canceled" | "cancelled" => {
                            let e = self.failed(status, &body, &reply.headers);
                            return Err(e);
                        }
                        _ => return Ok(None),
                    }
                }
                Phase::Location => {
                    let Some(url) = self.location.clone() else {
                        self.phase = Phase::NothingToPoll;
                        continue;
                    };
                    let reply = self.get(&url).await?;
                    if reply.status == StatusCode::ACCEPTED {
                        return Ok(None);
                    }
                    self.phase = Phase::Done(body_value(&what(&Method::GET, &url), &reply.body)?);
                }
                Phase::Resource => {
                    let url = self.resource.clone();
                    let reply = self.get(&url).await?;
                    self.phase = Phase::Done(body_value(&what(&Method::GET, &url), &reply.body)?);
                }
            }
        }
    }

    /// Poll until the operation is over, sleeping [`Lro::next_delay`] before each poll:
    /// its final body, or the error that ended it.
    pub async fn wait(mut self) -> Result<Value> {
        loop {
            if let Some(end) = self.settled() {
                return end;
            }
            let delay = self.next_delay();
            self.client.clock().sleep(delay).await;
            if let Some(v) = self.poll().await? {
                return Ok(v);
            }
        }
    }

    /// [`Lro::wait`], the final body read as `T`.
    pub async fn wait_as<T: DeserializeOwned>(self) -> Result<T> {
        let what = self.what.clone();
        let v = self.wait().await?;
        serde_path_to_error::deserialize(v).map_err(|e| {
            Error::provider(
                PROVIDER,
                ErrorKind::Other,
                format!(
                    "{what}: the final body does not read as expected at `{}`: {}",
                    e.path(),
                    clip(&e.inner().to_string(), MAX_MESSAGE_CHARS)
                ),
            )
        })
    }

    /// The end of an operation that is over (done, failed, or with nothing to poll).
    fn settled(&self) -> Option<Result<Value>> {
        match &self.phase {
            Phase::Done(v) => Some(Ok(v.clone())),
            Phase::Failed(p) => Some(Err(Error::Provider(p.clone()))),
            Phase::NothingToPoll => Some(Err(Error::provider(
                PROVIDER,
                ErrorKind::Other,
                format!(
                    "{}: HTTP {} without Location or Azure-AsyncOperation: nothing to poll; follow the item or its job instead",
                    self.what, self.initial_status
                ),
            ))),
            Phase::AsyncOperation | Phase::Location | Phase::Resource => None,
        }
    }

    /// A poll: a GET with the client's retries; its `Retry-After` kept.
    async fn get(&mut self, url: &Url) -> Result<Reply> {
        let reply = self.client.send(Method::GET, url, None, true).await?;
        if let Some(ra) = retry_after(&reply.headers, self.client.clock().now()) {
            self.retry_after = Some(ra);
        }
        Ok(reply)
    }

    /// The error of an operation whose status says `Failed` or `Canceled`, kept for the
    /// later polls.
    fn failed(&mut self, status: &str, body: &Value, headers: &HeaderMap) -> Error {
        let detail = body.get("error");
        let text = |k: &str| {
            detail
                .and_then(|d| d.get(k))
                .and_then(Value::as_str)
                .map(|s| clip(s, MAX_MESSAGE_CHARS))
        };
        let job_error = JobError {
            code: text("code"),
            message: text("message").unwrap_or_else(|| format!("the operation is {status}")),
            ..JobError::default()
        };
        let mut e = Error::provider(
            PROVIDER,
            ErrorKind::JobFailed,
            format!("{}: the long-running operation ended {status}", self.what),
        )
        .with_job_error(job_error);
        if let Some(id) = request_id(headers).or_else(|| self.request_id.clone()) {
            e = e.with_request_id(id);
        }
        if let Error::Provider(p) = &e {
            self.phase = Phase::Failed(p.clone());
        }
        e
    }
}

/// A final body as JSON (`null` when empty).
fn body_value(what: &str, body: &[u8]) -> Result<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    parse(what, body)
}

/// The job name in a status URL: the segment after `operationresults` (Az PowerShell's
/// `GetJobIdFromReponseLocation`), else after `replicationJobs`.
pub(crate) fn job_name_of(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let segments: Vec<&str> = path.split('/').collect();
    ["operationresults", "replicationJobs"]
        .iter()
        .find_map(|marker| {
            segments
                .iter()
                .position(|s| s.eq_ignore_ascii_case(marker))
                .and_then(|i| segments.get(i + 1))
                .filter(|n| !n.is_empty())
                .map(|n| n.to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_names_come_from_operationresults_or_replication_jobs() {
        assert_eq!(
            job_name_of("https://management.azure.com/Subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/i/operationresults/4b1c-job?api-version=2026-05-01").as_deref(),
            Some("4b1c-job")
        );
        assert_eq!(
            job_name_of("https://h/x/replicationJobs/j-7/operationResults/j-8").as_deref(),
            Some("j-8")
        );
        assert_eq!(
            job_name_of("https://h/v/replicationJobs/j-7?api-version=1").as_deref(),
            Some("j-7")
        );
        assert_eq!(
            job_name_of("https://h/v/replicationOperationStatus/g-1"),
            None
        );
        assert_eq!(job_name_of("https://h/v/operationresults/"), None);
    }
}
