//! Whether an item's Azure VM is shut down (or deleted), read from its RPI.
//!
//! ASR shows no power state of the Azure VM. The rule: the VM runs in Azure while the
//! item's active location is `Recovery`, a failover to on-premises included (it shuts the
//! VM down as it goes, `sourceSiteOperations: Required`, so it is down only once the
//! failover succeeded); once the active location is `Primary` (failed over to
//! on-premises, committed, reprotected back) it is shut down, or deleted by the commit;
//! except while a cancel of the failover runs, which starts it again.

use failback_core::state::ProtectionState;
use failback_core::{ErrorKind, Result};

use super::ids::error;
use super::state::protection_state;
use crate::models::ReplicationProtectedItem;

/// Whether `rpi`'s Azure VM is shut down or deleted.
pub(crate) fn shut_down(rpi: &ReplicationProtectedItem) -> Result<bool> {
    let state = protection_state(rpi).map_err(|e| error(ErrorKind::Other, e.to_string()))?;
    let cancelling = rpi
        .properties
        .current_scenario
        .as_ref()
        .and_then(|s| s.scenario_name.as_deref())
        .is_some_and(|s| s.eq_ignore_ascii_case("CancelFailover"));
    use ProtectionState as S;
    Ok(match state {
        S::FailedOverToAzure | S::Reprotecting | S::ReplicatingToOnPrem | S::FailingBack => false,
        S::FailedBackAwaitingCommit => !cancelling,
        S::Committing | S::CommittedUnprotected | S::ReprotectingToAzure | S::Protected => true,
        S::MigrationCompleted | S::ProtectionDisabled => {
            rpi.properties.active_location.as_deref() == Some("Primary")
        }
    })
}
