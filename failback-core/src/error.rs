//! The errors of `failback-core`.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::state::InvalidTransition;

/// One problem with an input document (an estate or a request): where it is and how to
/// fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
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

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
    /// A call to a provider (Azure Site Recovery, vSphere, the lab) failed.
    #[error("{provider}: {kind}: {message}")]
    Provider {
        /// Which provider (`azure`, `vsphere`, `lab`, …).
        provider: String,
        /// What kind of failure: decides whether a retry may help.
        kind: ErrorKind,
        /// What the provider said.
        message: String,
        /// How long the provider asked to wait before trying again (throttling).
        retry_after: Option<std::time::Duration>,
    },
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
    /// Writing the run journal failed; the run stops before any further mutation.
    #[error("cannot write run journal {}: {source}", path.display())]
    JournalWrite {
        /// The journal file.
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

/// What kind of failure a provider reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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
    /// A job the provider ran failed.
    JobFailed,
    /// Anything else.
    Other,
}

impl ErrorKind {
    /// Whether a failure of this kind may pass if the same call is tried again.
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
            ErrorKind::Other => "error",
        })
    }
}

impl Error {
    /// A provider error.
    pub fn provider(provider: &str, kind: ErrorKind, message: impl Into<String>) -> Self {
        Error::Provider {
            provider: provider.to_string(),
            kind,
            message: message.into(),
            retry_after: None,
        }
    }

    /// Whether trying the same call again may succeed: throttling, time-outs and
    /// unavailable services. Bad input, invariants and damaged journals never are.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Provider { kind, .. } => kind.is_retryable(),
            _ => false,
        }
    }

    /// The provider's failure kind, for a provider error.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            Error::Provider { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// How long the provider asked to wait, for a throttled call.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Error::Provider { retry_after, .. } => *retry_after,
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
