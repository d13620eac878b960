//! Orchestrator unit tests (mockall): one per safety invariant, and retry, deadline,
//! cancellation, dry-run and resume behaviour.
