//! An item's protection state from its replication protected item, by the table of
//! `docs/asr-mapping.md`: the provider's `instanceType`, the active location, the
//! allowed operations, and the job running on it (its current scenario).

use failback_core::state::ProtectionState;

use crate::models::{
    ReplicationProtectedItem, ReplicationProtectedItemOperation,
    ReplicationProviderSpecificSettings,
};

/// The `protectionState` of an item whose migration was completed.
pub const MIGRATION_COMPLETED: &str = "MigrationCompleted";
/// The `protectionState` of an item whose protection was disabled.
pub const PROTECTION_DISABLED: &str = "ProtectionDisabled";

/// Why an item's state could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("replication protected item {item}: {why} (instanceType {instance_type:?}, activeLocation {active_location:?}, protectionState {protection_state:?}, currentScenario {scenario:?})")]
pub struct StateError {
    /// The item's name.
    pub item: String,
    /// What does not fit.
    pub why: String,
    /// Its provider's `instanceType`.
    pub instance_type: Option<String>,
    /// Its `activeLocation`.
    pub active_location: Option<String>,
    /// Its `protectionState`.
    pub protection_state: Option<String>,
    /// Its current scenario's name.
    pub scenario: Option<String>,
}

/// The failback protection state of `rpi`. A job running on the item (a current scenario
/// other than `None`) decides first; otherwise the provider and the active location do. A
/// combination the table does not cover is an error naming every value read.
pub fn protection_state(
    rpi: &ReplicationProtectedItem,
) -> Result<ProtectionState, Box<StateError>> {
    let p = &rpi.properties;
    let instance = p
        .provider_specific_details
        .as_ref()
        .map(|d| d.instance_type().to_string());
    let scenario = p
        .current_scenario
        .as_ref()
        .and_then(|s| s.scenario_name.clone())
        .filter(|s| !s.is_empty() && s != "None");
    let error = |why: &str| {
        Box::new(StateError {
            item: rpi.name.clone(),
            why: why.to_string(),
            instance_type: instance.clone(),
            active_location: p.active_location.clone(),
            protection_state: p.protection_state.clone(),
            scenario: scenario.clone(),
        })
    };
    match p.protection_state.as_deref() {
        Some(MIGRATION_COMPLETED) => return Ok(ProtectionState::MigrationCompleted),
        Some(PROTECTION_DISABLED) => return Ok(ProtectionState::ProtectionDisabled),
        _ => {}
    }
    let in_azure = match p.active_location.as_deref() {
        Some("Recovery") => true,
        Some("Primary") => false,
        _ => return Err(error("the active location is neither Primary nor Recovery")),
    };
    if let Some(s) = scenario.as_deref() {
        return match (s, in_azure) {
            ("ReverseReplication", true) => Ok(ProtectionState::Reprotecting),
            ("ReverseReplication", false) => Ok(ProtectionState::ReprotectingToAzure),
            ("UnplannedFailover" | "PlannedFailover", _) => Ok(ProtectionState::FailingBack),
            ("CommitFailover", _) => Ok(ProtectionState::Committing),
            // Cancelling a failover takes the item back to replicating to on-premises.
            ("CancelFailover", _) => Ok(ProtectionState::FailedBackAwaitingCommit),
            _ => Err(error("a job of an unknown scenario runs on it")),
        };
    }
    let toward_onprem = match &p.provider_specific_details {
        Some(ReplicationProviderSpecificSettings::InMage(_))
        | Some(ReplicationProviderSpecificSettings::InMageRcmFailback(_)) => true,
        Some(ReplicationProviderSpecificSettings::InMageAzureV2(_))
        | Some(ReplicationProviderSpecificSettings::InMageRcm(_)) => false,
        _ => return Err(error("its provider is not one of VMware failback's")),
    };
    let may_commit = p
        .allowed_operations
        .contains(&ReplicationProtectedItemOperation::Commit);
    Ok(match (toward_onprem, in_azure) {
        (false, true) => ProtectionState::FailedOverToAzure,
        (true, true) => ProtectionState::ReplicatingToOnPrem,
        (true, false) if may_commit => ProtectionState::FailedBackAwaitingCommit,
        (true, false) => ProtectionState::CommittedUnprotected,
        (false, false) => ProtectionState::Protected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rpi(
        instance: &str,
        location: &str,
        allowed: &[&str],
        scenario: &str,
    ) -> ReplicationProtectedItem {
        let v = json!({
            "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.RecoveryServices/vaults/v/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/web-01",
            "name": "web-01",
            "properties": {
                "friendlyName": "web-01",
                "protectionState": "Protected",
                "activeLocation": location,
                "allowedOperations": allowed,
                "currentScenario": {"scenarioName": scenario},
                "providerSpecificDetails": {"instanceType": instance}
            }
        });
        match serde_json::from_value(v) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn the_life_cycle_of_a_classic_item_reads_as_failbacks_states() {
        use ProtectionState::*;
        let cases = [
            (
                rpi("InMageAzureV2", "Recovery", &["ReverseReplicate"], "None"),
                FailedOverToAzure,
            ),
            (
                rpi("InMageAzureV2", "Recovery", &[], "ReverseReplication"),
                Reprotecting,
            ),
            (
                rpi("InMage", "Recovery", &["UnplannedFailover"], "None"),
                ReplicatingToOnPrem,
            ),
            (
                rpi("InMage", "Recovery", &[], "UnplannedFailover"),
                FailingBack,
            ),
            (
                rpi("InMage", "Primary", &["Commit", "ChangePit"], "None"),
                FailedBackAwaitingCommit,
            ),
            (rpi("InMage", "Primary", &[], "CommitFailover"), Committing),
            (
                rpi("InMage", "Primary", &["ReverseReplicate"], "None"),
                CommittedUnprotected,
            ),
            (
                rpi("InMage", "Primary", &[], "ReverseReplication"),
                ReprotectingToAzure,
            ),
            (
                rpi("InMageAzureV2", "Primary", &["UnplannedFailover"], "None"),
                Protected,
            ),
        ];
        for (item, want) in cases {
            assert_eq!(protection_state(&item), Ok(want), "{item:?}");
        }
    }

    #[test]
    fn the_modernized_providers_read_the_same_way() {
        assert_eq!(
            protection_state(&rpi("InMageRcm", "Recovery", &[], "None")),
            Ok(ProtectionState::FailedOverToAzure)
        );
        assert_eq!(
            protection_state(&rpi("InMageRcmFailback", "Recovery", &[], "None")),
            Ok(ProtectionState::ReplicatingToOnPrem)
        );
        assert_eq!(
            protection_state(&rpi(
                "InMageRcmFailback",
                "Recovery",
                &[],
                "PlannedFailover"
            )),
            Ok(ProtectionState::FailingBack)
        );
    }

    #[test]
    fn what_the_table_does_not_cover_is_an_error_naming_the_values() {
        let e = protection_state(&rpi("HyperVReplicaAzure", "Recovery", &[], "None"));
        let text = match e {
            Err(e) => e.to_string(),
            Ok(s) => panic!("read as {s:?}"),
        };
        assert!(
            text.contains("web-01") && text.contains("HyperVReplicaAzure"),
            "{text}"
        );
        let e = protection_state(&rpi("InMage", "Elsewhere", &[], "None"));
        assert!(
            matches!(e, Err(ref x) if x.to_string().contains("Elsewhere")),
            "{e:?}"
        );
        let e = protection_state(&rpi("InMage", "Recovery", &[], "TestFailover"));
        assert!(
            matches!(e, Err(ref x) if x.to_string().contains("TestFailover")),
            "{e:?}"
        );
    }
}
