//! Runnable examples of the failback crates; see the `[[example]]` entries.
