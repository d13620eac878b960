//! The orchestrator: runs a plan through the providers, stage by stage, keeping the safety
//! invariants of a failback run at every instant, journaling every intent before a remote
//! mutation and every job id right after it, and resuming from the journal after a crash.

mod report;
mod settings;

pub use report::*;
pub use settings::*;

/// Cancels a run: the orchestrator stops issuing new operations, leaves running jobs to
/// the provider, records where it stopped, and returns its report.
pub use tokio_util::sync::CancellationToken;
