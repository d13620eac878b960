//! The protection state machine: the states a protected item passes through on its way
//! from Azure back on-premises and protected again, and the operations each allows.
//!
//! ```
//! use failback_core::state::{Operation, ProtectionState};
//!
//! let s = ProtectionState::FailedOverToAzure;
//! let s = s.start(Operation::Reprotect).unwrap();
//! assert_eq!(s, ProtectionState::Reprotecting);
//! let s = s.finish(true).unwrap();
//! assert_eq!(s, ProtectionState::ReplicatingToOnPrem);
//! // Commit before a failover is refused with a typed error.
//! assert!(s.start(Operation::Commit).is_err());
//! ```

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a protected item is in the failback life cycle.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProtectionState {
    /// Running in Azure after a failover; not replicating anywhere.
    FailedOverToAzure,
    /// Reprotect (Azure to on-premises) job running.
    Reprotecting,
    /// Replicating Azure to on-premises: ready to fail back.
    ReplicatingToOnPrem,
    /// Failover to on-premises job running.
    FailingBack,
    /// Failed over to on-premises; the Azure VM still exists until commit.
    FailedBackAwaitingCommit,
    /// Commit job running (it deletes the Azure VM).
    Committing,
    /// Committed: running on-premises, unprotected (FO-005).
    CommittedUnprotected,
    /// Reprotect (on-premises to Azure) job running.
    ReprotectingToAzure,
    /// Protected to Azure again: the end of a failback.
    Protected,
    /// Migration was completed: failback is no longer possible (EXT-009).
    MigrationCompleted,
    /// Protection was disabled: failback is no longer possible (EXT-009).
    ProtectionDisabled,
}

/// An operation started on an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Reprotect Azure to on-premises.
    Reprotect,
    /// Fail over to on-premises.
    Failover,
    /// Commit the failover (deletes the Azure VM).
    Commit,
    /// Reprotect on-premises to Azure.
    ReprotectToAzure,
    /// Cancel a failover that is not committed yet: back to replicating.
    CancelFailover,
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Operation::Reprotect => "reprotect",
            Operation::Failover => "failover",
            Operation::Commit => "commit",
            Operation::ReprotectToAzure => "reprotect to Azure",
            Operation::CancelFailover => "cancel failover",
        })
    }
}

impl std::fmt::Display for ProtectionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ProtectionState::FailedOverToAzure => "failed over to Azure",
            ProtectionState::Reprotecting => "reprotecting",
            ProtectionState::ReplicatingToOnPrem => "replicating to on-prem",
            ProtectionState::FailingBack => "failing back",
            ProtectionState::FailedBackAwaitingCommit => "failed back, awaiting commit",
            ProtectionState::Committing => "committing",
            ProtectionState::CommittedUnprotected => "committed, unprotected",
            ProtectionState::ReprotectingToAzure => "reprotecting to Azure",
            ProtectionState::Protected => "protected",
            ProtectionState::MigrationCompleted => "migration completed",
            ProtectionState::ProtectionDisabled => "protection disabled",
        })
    }
}

/// An operation or job outcome that the current state does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTransition {
    /// The operation cannot start from this state.
    #[error("cannot {operation} an item that is {state}; allowed: {allowed}")]
    NotAllowed {
        /// The state the item is in.
        state: ProtectionState,
        /// The refused operation.
        operation: Operation,
        /// What the state allows, for the message.
        allowed: String,
    },
    /// No job runs in this state, so there is nothing to finish.
    #[error("no job is running for an item that is {state}")]
    NoJobRunning {
        /// The state the item is in.
        state: ProtectionState,
    },
}

impl ProtectionState {
    /// Every state, in life-cycle order.
    pub const ALL: [ProtectionState; 11] = [
        ProtectionState::FailedOverToAzure,
        ProtectionState::Reprotecting,
        ProtectionState::ReplicatingToOnPrem,
        ProtectionState::FailingBack,
        ProtectionState::FailedBackAwaitingCommit,
        ProtectionState::Committing,
        ProtectionState::CommittedUnprotected,
        ProtectionState::ReprotectingToAzure,
        ProtectionState::Protected,
        ProtectionState::MigrationCompleted,
        ProtectionState::ProtectionDisabled,
    ];

    /// The operations this state allows.
    pub fn allowed_operations(self) -> &'static [Operation] {
        match self {
            ProtectionState::FailedOverToAzure => &[Operation::Reprotect],
            ProtectionState::ReplicatingToOnPrem => &[Operation::Failover],
            ProtectionState::FailedBackAwaitingCommit => {
                &[Operation::Commit, Operation::CancelFailover]
            }
            ProtectionState::CommittedUnprotected => &[Operation::ReprotectToAzure],
            _ => &[],
        }
    }

    /// Whether a job is running in this state.
    pub fn job_running(self) -> bool {
        matches!(
            self,
            ProtectionState::Reprotecting
                | ProtectionState::FailingBack
                | ProtectionState::Committing
                | ProtectionState::ReprotectingToAzure
        )
    }

    /// Whether failback can no longer happen from this state (EXT-009).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            ProtectionState::Protected
                | ProtectionState::MigrationCompleted
                | ProtectionState::ProtectionDisabled
        )
    }

    /// Start an operation: the state while its job runs (or, for a cancel, the state after it).
    pub fn start(self, operation: Operation) -> Result<ProtectionState, InvalidTransition> {
        use Operation as O;
        use ProtectionState as S;
        match (self, operation) {
            (S::FailedOverToAzure, O::Reprotect) => Ok(S::Reprotecting),
            (S::ReplicatingToOnPrem, O::Failover) => Ok(S::FailingBack),
            (S::FailedBackAwaitingCommit, O::Commit) => Ok(S::Committing),
            (S::FailedBackAwaitingCommit, O::CancelFailover) => Ok(S::ReplicatingToOnPrem),
            (S::CommittedUnprotected, O::ReprotectToAzure) => Ok(S::ReprotectingToAzure),
            (state, operation) => Err(InvalidTransition::NotAllowed {
                state,
                operation,
                allowed: describe(state.allowed_operations()),
            }),
        }
    }

    /// The running job finished: the state after success, or the state it returns to on
    /// failure.
    pub fn finish(self, succeeded: bool) -> Result<ProtectionState, InvalidTransition> {
        use ProtectionState as S;
        let (ok, failed) = match self {
            S::Reprotecting => (S::ReplicatingToOnPrem, S::FailedOverToAzure),
            S::FailingBack => (S::FailedBackAwaitingCommit, S::ReplicatingToOnPrem),
            S::Committing => (S::CommittedUnprotected, S::FailedBackAwaitingCommit),
            S::ReprotectingToAzure => (S::Protected, S::CommittedUnprotected),
            state => return Err(InvalidTransition::NoJobRunning { state }),
        };
        Ok(if succeeded { ok } else { failed })
    }
}

fn describe(ops: &[Operation]) -> String {
    if ops.is_empty() {
        return "nothing".to_string();
    }
    ops.iter()
        .map(|o| o.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_life_cycle() {
        let mut s = ProtectionState::FailedOverToAzure;
        for op in [
            Operation::Reprotect,
            Operation::Failover,
            Operation::Commit,
            Operation::ReprotectToAzure,
        ] {
            s = s.start(op).unwrap();
            assert!(s.job_running());
            s = s.finish(true).unwrap();
        }
        assert_eq!(s, ProtectionState::Protected);
    }

    #[test]
    fn every_state_allows_exactly_its_operations() {
        let ops = [
            Operation::Reprotect,
            Operation::Failover,
            Operation::Commit,
            Operation::ReprotectToAzure,
            Operation::CancelFailover,
        ];
        for s in ProtectionState::ALL {
            for op in ops {
                let allowed = s.allowed_operations().contains(&op);
                assert_eq!(s.start(op).is_ok(), allowed, "{s:?} {op:?}");
            }
        }
    }

    #[test]
    fn commit_before_failover_is_a_typed_error() {
        let err = ProtectionState::ReplicatingToOnPrem
            .start(Operation::Commit)
            .unwrap_err();
        assert!(matches!(err, InvalidTransition::NotAllowed { .. }));
        assert!(err.to_string().contains("allowed: failover"));
    }

    #[test]
    fn failed_jobs_return_to_the_state_before() {
        assert_eq!(
            ProtectionState::FailingBack.finish(false).unwrap(),
            ProtectionState::ReplicatingToOnPrem
        );
        assert_eq!(
            ProtectionState::Committing.finish(false).unwrap(),
            ProtectionState::FailedBackAwaitingCommit
        );
        assert!(ProtectionState::Protected.finish(true).is_err());
    }
}
