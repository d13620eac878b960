//! The recovery-side provider over ASR (work in progress): how ASR's resources read as
//! failback's model, by `docs/asr-mapping.md`.

pub mod state;
