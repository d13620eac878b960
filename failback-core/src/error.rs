//! The errors of `failback-core`.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::state::InvalidTransition;

/// One problem with an input document (an estate or a request): where it is and how to
/// fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
    /// The file the document was read from, when it was read from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// Which document: `estate` or `request`.
    pub document: &'static str,
    /// Path of the bad field, like `items[3].host`; empty for the document as a whole.
    pub path: String,
    /// 1-based line of the bad field, when known.
    pub line: Option<usize>,
    /// 1-based column of the bad field, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

/// The longest message an input error repeats: a value longer than this (a 5 MB string)
/// is cut, with its length said.
pub const MAX_MESSAGE_CHARS: usize = 600;

/// The longest quoted value (between backticks, as serde quotes them) a message repeats.
const MAX_QUOTED_CHARS: usize = 60;

/// `message` with every quoted value longer than 60 characters cut to its start and its
/// length (so that the rest of the message, such as the values expected, stays), then
/// the whole cut to [`MAX_MESSAGE_CHARS`] characters; always on character boundaries.
pub fn clip_message(message: String) -> String {
    if message.len() <= MAX_QUOTED_CHARS {
        return message;
    }
    let mut out = String::with_capacity(message.len().min(MAX_MESSAGE_CHARS * 4));
    for (n, part) in message.split('`').enumerate() {
        if n > 0 {
            out.push('`');
        }
        let quoted = n % 2 == 1;
        if quoted && part.chars().count() > MAX_QUOTED_CHARS {
            let head: String = part.chars().take(MAX_QUOTED_CHARS / 2).collect();
            out.push_str(&format!("{head}… ({} bytes)", part.len()));
        } else {
            out.push_str(part);
        }
    }
    if out.chars().count() <= MAX_MESSAGE_CHARS {
        return out;
    }
    let cut: String = out.chars().take(MAX_MESSAGE_CHARS - 40).collect();
    format!("{cut}… (cut: the message holds {} bytes)", out.len())
}

impl InputError {
    /// A problem of `document` at the field `path` (no line yet), its message cut to
    /// [`MAX_MESSAGE_CHARS`].
    pub fn new(
        document: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> InputError {
        InputError {
            file: None,
            document,
            path: path.into(),
            line: None,
            column: None,
            message: clip_message(message.into()),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        write!(f, "{}", self.document)?;
        if !self.path.is_empty() {
            write!(f, " field `{}`", self.path)?;
        }
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, " (line {l}, column {c})")?,
            (Some(l), None) => write!(f, " (line {l})")?,
            _ => {}
        }
        write!(f, ": {}", self.message)?;
        if !self.fix.is_empty() {
            write!(f, "; fix: {}", self.fix)?;
        }
        Ok(())
    }
}

/// The error type of `failback-core`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input document is malformed or describes something impossible. Every problem
    /// found is listed.
    #[error("{}", join(.0))]
    InvalidInput(Vec<InputError>),
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An operation the item's protection state does not allow.
    #[error(transparent)]
    InvalidTransition(#[from] InvalidTransition),
    /// A call to a provider (Azure Site Recovery, vSphere, the lab) failed: its kind,
    /// retry status, operation and target, request id, job error and source are kept
    /// ([`ProviderError`]).
    #[error(transparent)]
    Provider(Box<ProviderError>),
    /// The run journal cannot be read: a record other than the last is damaged.
    #[error("run journal {} is damaged at line {line}: {message}", path.display())]
    JournalCorrupt {
        /// The journal file.
        path: PathBuf,
        /// 1-based line of the damaged record.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Another process holds the run (it runs or resumes the same journal): a second one
    /// would issue the run's operations twice, so nothing was done.
    #[error(
        "{} is in use by {holder}: a second process on the same run would issue its operations twice, so nothing was done; wait for that process to end (or stop it: its journal stays resumable), then resume",
        journal.display()
    )]
    RunLocked {
        /// The run's journal.
        journal: PathBuf,
        /// Who holds it, as its lock file says.
        holder: String,
    },
    /// A local file the run depends on besides its journal (a simulated site's state
    /// beside it) cannot be written: the run stops before any further mutation, its items
    /// are left as they are (none fails for it) and its journal stays resumable once the
    /// file can be written again.
    #[error(
        "cannot write {}: {message}; the run stopped before any further change and can be resumed once the file can be written (free space, permissions)",
        path.display()
    )]
    LocalWrite {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Writing the run journal failed; the run stops before any further mutation.
    #[error(
        "cannot write run journal {}: {source}; the run stopped before any further change and can be resumed (`failback resume {}`) once the journal can be written (free space, permissions)",
        path.display(),
        path.display()
    )]
    JournalWrite {
        /// The journal file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A run could not start: its journal could not be created or its first record (the
    /// plan) written, or a file the run needs from its start (a simulated site's state)
    /// could not be written. Nothing was done; there is nothing to resume.
    #[error(
        "cannot start the run: cannot write {}: {source}; nothing was done: start it again once the file can be written (free space, permissions, an old file in the way)",
        path.display()
    )]
    RunNotStarted {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A step would break a safety invariant of a failback run; it was not issued.
    #[error("refused for {item}: {message}")]
    Invariant {
        /// The item (or recovery plan) concerned.
        item: String,
        /// Which invariant and why.
        message: String,
    },
    /// The run was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// A stage did not finish before its deadline.
    #[error("{item}: {stage} did not finish within {seconds} s")]
    Deadline {
        /// The item (or recovery plan).
        item: String,
        /// The stage.
        stage: String,
        /// The deadline in seconds.
        seconds: u64,
    },
}

/// Whether trying the same call again may succeed (after OpenDAL's error status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorStatus {
    /// It may pass if tried again (throttling, a time-out, an unavailable service, a
    /// target not ready yet): the orchestrator retries the whole operation, after its
    /// lost-response check.
    Temporary,
    /// Trying again will not help (refused input, a conflict, a permission, a failed
    /// job): the item fails with this error.
    Permanent,
    /// It was temporary, but the retries inside one call (an adapter's, within its time
    /// budget) are spent: not retried again.
    Persistent,
}

impl fmt::Display for ErrorStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorStatus::Temporary => "temporary",
            ErrorStatus::Permanent => "permanent",
            ErrorStatus::Persistent => "persistent",
        })
    }
}

/// Why a provider's job failed, as the provider tells it: ASR's `errorCode`,
/// `errorMessage`, `possibleCauses` and `recommendedAction`.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct JobError {
    /// The provider's error code (ASR's numeric codes, such as `78093`), when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub code: Option<String>,
    /// What failed.
    pub message: String,
    /// What may have caused it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub possible_causes: Vec<String>,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub recommended_action: Option<String>,
}

impl JobError {
    /// A job error with a message only.
    pub fn message(message: impl Into<String>) -> JobError {
        JobError {
            message: message.into(),
            ..JobError::default()
        }
    }
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(c) = &self.code {
            write!(f, "error {c}: ")?;
        }
        f.write_str(&self.message)?;
        if !self.possible_causes.is_empty() {
            write!(f, "; possible causes: {}", self.possible_causes.join("; "))?;
        }
        if let Some(a) = &self.recommended_action {
            write!(f, "; recommended action: {a}")?;
        }
        Ok(())
    }
}

/// A failed provider call, with what it takes to decide and to explain: the kind, the
/// retry status, the operation and its target, the provider's request id, its job
/// error and the underlying error (an HTTP or I/O error) as the source.
#[derive(Debug, Clone)]
pub struct ProviderError {
    /// Which provider (`azure`, `vsphere`, `lab`, …).
    pub provider: String,
    /// What kind of failure.
    pub kind: ErrorKind,
    /// Whether a retry may help (by default, the kind's: [`ErrorKind::status`]).
    pub status: ErrorStatus,
    /// What the provider said.
    pub message: String,
    /// The operation that failed (`reprotect`, `job`, `vm_runtime`, …), when set.
    pub operation: Option<String>,
    /// What it was on (an item, a recovery plan, a job), when set.
    pub target: Option<String>,
    /// The provider's request id (ASR's `x-ms-request-id`), for its support.
    pub request_id: Option<String>,
    /// How long the provider asked to wait before trying again (throttling).
    pub retry_after: Option<std::time::Duration>,
    /// The job's error, for [`ErrorKind::JobFailed`].
    pub job_error: Option<JobError>,
    /// The underlying error.
    pub source: Option<std::sync::Arc<dyn std::error::Error + Send + Sync>>,
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.provider, self.kind)?;
        if let Some(op) = &self.operation {
            write!(f, " ({op}")?;
            if let Some(t) = &self.target {
                write!(f, " of {t}")?;
            }
            f.write_str(")")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(j) = &self.job_error {
            write!(f, ": {j}")?;
        }
        if let Some(r) = &self.request_id {
            write!(f, " [request id {r}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ProviderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// What kind of failure a provider reported.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The object does not exist.
    NotFound,
    /// The caller lacks a permission.
    PermissionDenied,
    /// The credentials were refused or expired.
    Unauthenticated,
    /// Throttled: wait (see `retry_after`) and try again.
    RateLimited,
    /// The call timed out.
    Timeout,
    /// The object's state does not allow the call (conflict).
    Conflict,
    /// The provider refused the input.
    InvalidInput,
    /// The provider cannot do this (see its capability).
    NotSupported,
    /// The service is unavailable for now (5xx, connection refused or reset).
    Unavailable,
    /// The target is not ready for the call yet and will be without anyone acting: the
    /// mobility agent of a VM just committed on-premises has not re-registered with the
    /// configuration server (up to 15 minutes; ASR answers that the agent is not
    /// installed). Retried on its own, longer budget (see the run settings).
    NotReady,
    /// A job the provider ran failed (its [`JobError`] says why).
    JobFailed,
    /// Not a provider's failure: a safety invariant of the run refused the step, which was
    /// not issued ([`Error::Invariant`]).
    Refused,
    /// Not a provider's failure: the step did not finish within its deadline
    /// ([`Error::Deadline`]; the provider's job may still run).
    Deadline,
    /// Anything else.
    Other,
}

impl ErrorKind {
    /// Every kind, for mapping tables (exceptions, exit codes) that must cover them all.
    pub const ALL: [ErrorKind; 14] = [
        ErrorKind::NotFound,
        ErrorKind::PermissionDenied,
        ErrorKind::Unauthenticated,
        ErrorKind::RateLimited,
        ErrorKind::Timeout,
        ErrorKind::Conflict,
        ErrorKind::InvalidInput,
        ErrorKind::NotSupported,
        ErrorKind::Unavailable,
        ErrorKind::NotReady,
        ErrorKind::JobFailed,
        ErrorKind::Refused,
        ErrorKind::Deadline,
        ErrorKind::Other,
    ];

    /// The retry status a failure of this kind has unless its provider says otherwise:
    /// throttling, time-outs, unavailable services and targets not ready yet are
    /// temporary, everything else permanent.
    pub fn status(self) -> ErrorStatus {
        match self {
            ErrorKind::RateLimited
            | ErrorKind::Timeout
            | ErrorKind::Unavailable
            | ErrorKind::NotReady => ErrorStatus::Temporary,
            ErrorKind::NotFound
            | ErrorKind::PermissionDenied
            | ErrorKind::Unauthenticated
            | ErrorKind::Conflict
            | ErrorKind::InvalidInput
            | ErrorKind::NotSupported
            | ErrorKind::JobFailed
            | ErrorKind::Refused
            | ErrorKind::Deadline
            | ErrorKind::Other => ErrorStatus::Permanent,
        }
    }

    /// Whether a failure of this kind may pass if the same call is tried again at once
    /// (with backoff): throttling, time-outs, unavailable services. [`ErrorKind::NotReady`]
    /// is temporary too, but waits on its own, longer budget.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimited | ErrorKind::Timeout | ErrorKind::Unavailable
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::NotFound => "not found",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Conflict => "conflict",
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::NotSupported => "not supported",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::NotReady => "not ready yet",
            ErrorKind::JobFailed => "job failed",
            ErrorKind::Refused => "refused by a safety invariant",
            ErrorKind::Deadline => "past its deadline",
            ErrorKind::Other => "error",
        })
    }
}

impl Error {
    /// A provider error, with the kind's retry status and no context yet (see the
    /// `with_*` methods).
    pub fn provider(provider: &str, kind: ErrorKind, message: impl Into<String>) -> Self {
        Error::Provider(Box::new(ProviderError {
            provider: provider.to_string(),
            kind,
            status: kind.status(),
            message: message.into(),
            operation: None,
            target: None,
            request_id: None,
            retry_after: None,
            job_error: None,
            source: None,
        }))
    }

    fn map_provider(mut self, f: impl FnOnce(&mut ProviderError)) -> Self {
        if let Error::Provider(p) = &mut self {
            f(p);
        }
        self
    }

    /// The same provider error with another retry status (no effect on other errors).
    pub fn with_status(self, status: ErrorStatus) -> Self {
        self.map_provider(|p| p.status = status)
    }

    /// The same provider error, naming the operation and its target (when not named yet).
    pub fn with_operation(self, operation: &str, target: impl fmt::Display) -> Self {
        self.map_provider(|p| {
            p.operation.get_or_insert_with(|| operation.to_string());
            p.target.get_or_insert_with(|| target.to_string());
        })
    }

    /// The same provider error with the provider's request id.
    pub fn with_request_id(self, id: impl Into<String>) -> Self {
        self.map_provider(|p| p.request_id = Some(id.into()))
    }

    /// The same provider error asking to wait `d` before trying again.
    pub fn with_retry_after(self, d: std::time::Duration) -> Self {
        self.map_provider(|p| p.retry_after = Some(d))
    }

    /// The same provider error with its job's error.
    pub fn with_job_error(self, e: JobError) -> Self {
        self.map_provider(|p| p.job_error = Some(e))
    }

    /// The same provider error with its underlying error as the source.
    pub fn with_source(self, e: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.map_provider(|p| p.source = Some(std::sync::Arc::new(e)))
    }

    /// The provider error's details, for a provider error.
    pub fn provider_error(&self) -> Option<&ProviderError> {
        match self {
            Error::Provider(p) => Some(p),
            _ => None,
        }
    }

    /// Whether trying again may succeed: [`ErrorStatus::Temporary`] provider errors.
    /// Bad input, invariants, deadlines, damaged journals and local write failures never.
    pub fn status(&self) -> ErrorStatus {
        match self {
            Error::Provider(p) => p.status,
            _ => ErrorStatus::Permanent,
        }
    }

    /// Whether trying the same call again may succeed: throttling, time-outs and
    /// unavailable services. Bad input, invariants and damaged journals never are.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Provider(p) => p.status == ErrorStatus::Temporary && p.kind.is_retryable(),
            _ => false,
        }
    }

    /// The failure's kind: a provider error's, [`ErrorKind::Refused`] for an invariant,
    /// [`ErrorKind::Deadline`] for a deadline; `None` for the others (bad input, files,
    /// the journal, cancellation), which are not failures of an item.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            Error::Provider(p) => Some(p.kind),
            Error::Invariant { .. } => Some(ErrorKind::Refused),
            Error::Deadline { .. } => Some(ErrorKind::Deadline),
            _ => None,
        }
    }

    /// How long the provider asked to wait, for a throttled call.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Error::Provider(p) => p.retry_after,
            _ => None,
        }
    }

    /// The same error with the problems of `document` that lack a line placed in `text`,
    /// the document's source: for problems found after parsing, such as a request naming
    /// an item the estate lacks (checked against the estate, away from the text).
    pub fn placed_in(self, document: &str, text: &str) -> Error {
        match self {
            Error::InvalidInput(list) => Error::InvalidInput(
                list.into_iter()
                    .map(|mut e| {
                        if e.document == document && e.line.is_none() {
                            let path = crate::estate::locate::FieldPath::parse(&e.path);
                            if let Some((l, c)) = crate::estate::locate::locate_nearest(text, &path)
                            {
                                e.line = Some(l);
                                e.column = Some(c);
                            }
                        }
                        e
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    /// The same error with the input problems that name no file placed in `file`, the
    /// file the document was read from.
    pub fn in_file(self, file: &std::path::Path) -> Error {
        match self {
            Error::InvalidInput(list) => Error::InvalidInput(
                list.into_iter()
                    .map(|mut e| {
                        e.file.get_or_insert_with(|| file.to_path_buf());
                        e
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    /// The input problems, when this is [`Error::InvalidInput`].
    pub fn input_errors(&self) -> &[InputError] {
        match self {
            Error::InvalidInput(v) => v,
            _ => &[],
        }
    }
}

fn join(errors: &[InputError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
