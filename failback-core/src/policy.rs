//! The failback policy (POL-*): created with the forward policy, associated with the
//! configuration server, with fixed values no API can change.
//!
//! ```
//! use failback_core::policy::FailbackPolicy;
//!
//! let p = FailbackPolicy::derive("forward-1", "cs-1");
//! assert_eq!(p.rpo_threshold_minutes(), 15);
//! assert_eq!(p.retention_minutes(), 24 * 60);
//! assert_eq!(p.app_consistent_frequency_minutes(), 60);
//! ```

use serde::Serialize;

use crate::estate::{Estate, PolicyDirection, PolicyRecord};
use crate::rules::{Finding, RuleId, Subject};

/// RPO threshold of the failback policy, in minutes.
pub const RPO_THRESHOLD_MINUTES: u32 = 15;
/// Recovery point retention of the failback policy, in minutes (24 hours).
pub const RETENTION_MINUTES: u32 = 24 * 60;
/// Application-consistent snapshot frequency of the failback policy, in minutes.
pub const APP_CONSISTENT_FREQUENCY_MINUTES: u32 = 60;

/// The failback policy. Its values are fixed: there is no setter, and the only way to get
/// one is to derive it from a forward policy for a configuration server (POL-002).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailbackPolicy {
    derived_from: String,
    associated_with: String,
    rpo_threshold_minutes: u32,
    retention_minutes: u32,
    app_consistent_frequency_minutes: u32,
}

impl FailbackPolicy {
    /// The failback policy created with forward policy `forward` and associated with
    /// configuration server `configuration_server`.
    pub fn derive(forward: &str, configuration_server: &str) -> Self {
        FailbackPolicy {
            derived_from: forward.to_string(),
            associated_with: configuration_server.to_string(),
            rpo_threshold_minutes: RPO_THRESHOLD_MINUTES,
            retention_minutes: RETENTION_MINUTES,
            app_consistent_frequency_minutes: APP_CONSISTENT_FREQUENCY_MINUTES,
        }
    }
    /// The forward policy it comes from.
    pub fn derived_from(&self) -> &str {
        &self.derived_from
    }
    /// The configuration server it is associated with.
    pub fn associated_with(&self) -> &str {
        &self.associated_with
    }
    /// RPO threshold: 15 minutes.
    pub fn rpo_threshold_minutes(&self) -> u32 {
        self.rpo_threshold_minutes
    }
    /// Recovery point retention: 24 hours.
    pub fn retention_minutes(&self) -> u32 {
        self.retention_minutes
    }
    /// Application-consistent snapshot frequency: 60 minutes.
    pub fn app_consistent_frequency_minutes(&self) -> u32 {
        self.app_consistent_frequency_minutes
    }
}

/// Finds the estate's failback policy and checks it (POL-001, POL-002). Returns the policy
/// when one is usable, and the findings.
pub fn check(estate: &Estate) -> (Option<FailbackPolicy>, Vec<Finding>) {
    let mut findings = Vec::new();
    let Some(cs) = &estate.configuration_server else {
        if estate.flavor == crate::estate::Flavor::Classic {
            findings.push(Finding::unknown(
                RuleId::Pol001,
                Subject::Estate,
                "configuration_server",
            ));
        }
        return (None, findings);
    };
    let failback: Vec<&PolicyRecord> = estate
        .policies
        .iter()
        .filter(|p| p.direction == PolicyDirection::Failback)
        .collect();
    let associated = failback
        .iter()
        .find(|p| p.associated_with.as_deref() == Some(cs.id.as_str()));
    let Some(record) = associated else {
        let msg = if failback.is_empty() {
            "no failback policy exists in the vault".to_string()
        } else {
            format!(
                "no failback policy is associated with configuration server {} (found: {})",
                cs.id,
                failback
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        findings.push(Finding::new(
            RuleId::Pol001,
            Subject::ConfigurationServer(cs.id.clone()),
            msg,
        ));
        return (None, findings);
    };
    let forward = record.derived_from.as_deref().and_then(|f| {
        estate
            .policies
            .iter()
            .find(|p| p.id == f && p.direction == PolicyDirection::Forward)
    });
    let Some(forward) = forward else {
        findings.push(Finding::new(
            RuleId::Pol001,
            Subject::Policy(record.id.clone()),
            format!(
                "failback policy {} is not derived from a forward policy (derived_from: {})",
                record.id,
                record.derived_from.as_deref().unwrap_or("none")
            ),
        ));
        return (None, findings);
    };
    let mut edits = Vec::new();
    for (name, have, want) in [
        (
            "RPO threshold",
            record.rpo_threshold_minutes,
            RPO_THRESHOLD_MINUTES,
        ),
        ("retention", record.retention_minutes, RETENTION_MINUTES),
        (
            "application-consistent frequency",
            record.app_consistent_frequency_minutes,
            APP_CONSISTENT_FREQUENCY_MINUTES,
        ),
    ] {
        if have != want {
            edits.push(format!("{name} is {have} min, must be {want} min"));
        }
    }
    if !edits.is_empty() {
        findings.push(Finding::new(
            RuleId::Pol002,
            Subject::Policy(record.id.clone()),
            format!(
                "failback policy {} was edited: {}",
                record.id,
                edits.join("; ")
            ),
        ));
        return (None, findings);
    }
    (Some(FailbackPolicy::derive(&forward.id, &cs.id)), findings)
}
