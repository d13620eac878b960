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
}

impl Error {
    /// Whether trying the same thing again may succeed. Nothing in the domain layer is
    /// retryable: bad input stays bad until it is fixed.
    pub fn is_retryable(&self) -> bool {
        false
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
