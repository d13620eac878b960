//! Serde models of the Azure Site Recovery REST API (api-version `2026-05-01`).
