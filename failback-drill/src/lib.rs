#![doc = include_str!("../README.md")]

mod drill;
pub mod http;
pub mod report;

use std::path::{Path, PathBuf};

pub use drill::{
    journal_state, lab_file, report_journal, resume, to_json, Connect, Drill, EstateSource,
    FaultLevel, Finished, Manifest, Outcome, Planned, Providers, ResumeOptions, Resumed, Unwatched,
    Watch, COUNTERS_FILE, JOURNAL_FILE, MANIFEST_FILE, MANIFEST_FORMAT,
};

/// Why a drill, a resume or a report could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum DrillError {
    /// Bad options or files: the message names them and the fix. Nothing was done.
    #[error("{0}")]
    Usage(String),
    /// A local file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// From the domain, the orchestrator, the journal or the lab.
    #[error(transparent)]
    Core(#[from] failback_core::Error),
    /// A report file could not be written.
    #[error(transparent)]
    Report(#[from] report::WriteError),
    /// The test hook of [`Drill::crash_at_record`] fired: the run died as a killed
    /// process would, leaving its journal and lab file for [`resume`].
    #[error("simulated crash: {0}")]
    Crashed(String),
}

impl DrillError {
    fn usage(message: impl Into<String>) -> DrillError {
        DrillError::Usage(message.into())
    }

    fn io(path: &Path, source: std::io::Error) -> DrillError {
        DrillError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
