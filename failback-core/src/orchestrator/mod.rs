//! The orchestrator: runs a plan through the providers, stage by stage, keeping the safety
//! invariants of a failback run at every instant, journaling every intent before a remote
//! mutation and every job id right after it, and resuming from the journal after a crash.
//!
//! - [`Orchestrator::run`] runs a [`Plan`](crate::plan::Plan) into a new journal;
//!   [`Orchestrator::resume`] continues the run of a journal read back.
//! - [`Orchestrator::subscribe`] streams [`Event`](crate::events::Event)s.
//! - [`RunSettings`] bound concurrency, polling, retries and deadlines, and select a dry
//!   run; [`RunReport`] says how each item ended.
//!
//! The invariants and where they are enforced: `guards.rs` (checks before failover and
//! commit, journaled as `Verified`), `op.rs` (intent before every call, no call issued
//! twice), `unit.rs` (a group moves together, through its recovery plan).

mod ctx;
mod findings;
mod guards;
mod op;
mod phases;
mod rebuild;
mod recorder;
mod report;
mod resume;
mod retry;
mod run;
mod settings;
mod unit;

#[cfg(test)]
mod tests;

pub use report::*;
pub use run::{Orchestrator, DEFAULT_RPO_MINUTES, EVENT_BUFFER};
pub use settings::*;

/// Cancels a run: the orchestrator stops issuing new operations, leaves running jobs to
/// the provider, records where it stopped, and returns its report.
pub use tokio_util::sync::CancellationToken;
