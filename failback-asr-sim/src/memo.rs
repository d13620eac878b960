//! What the simulator remembers of the reprotects it accepted: the inputs each carried,
//! shown again on the item (`processServerId`, `datastores`, `targetDataStoreName`,
//! `logStorageAccountId`, the policy). The lab keeps its own state; these are only the
//! values it does not show.

use std::collections::HashMap;
use std::sync::Mutex;

/// The inputs of one accepted reprotect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Reprotected {
    /// `masterTargetId` / `reprotectAgentId`.
    pub master_target: Option<String>,
    /// `processServerId`.
    pub process_server: Option<String>,
    /// `datastoreName`.
    pub datastore: Option<String>,
    /// `retentionDrive`.
    pub retention_volume: Option<String>,
    /// The policy, as the estate names it.
    pub policy: Option<String>,
    /// `runAsAccountId`.
    pub run_as_account: Option<String>,
    /// `logStorageAccountId`.
    pub log_storage_account: Option<String>,
}

/// The last accepted reprotect of an item each way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Reprotects {
    /// Toward on-premises.
    pub to_onprem: Option<Reprotected>,
    /// Toward Azure.
    pub to_azure: Option<Reprotected>,
}

/// The inputs by item.
pub(crate) type Memo = HashMap<String, Reprotects>;

/// The memo shared by the handlers.
#[derive(Debug, Default)]
pub(crate) struct Memory(Mutex<Memo>);

impl Memory {
    /// A copy of the memo now.
    pub(crate) fn get(&self) -> Memo {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Remember the inputs of an accepted reprotect of `item`.
    pub(crate) fn remember(&self, item: &str, to_onprem: bool, inputs: Reprotected) {
        let mut memo = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let slot = memo.entry(item.to_string()).or_default();
        if to_onprem {
            slot.to_onprem = Some(inputs);
        } else {
            slot.to_azure = Some(inputs);
        }
    }
}
