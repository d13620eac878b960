//! The inspection API: what a simulator serving the lab's state (the ASR simulator) and a
//! test need to see beyond the provider traits: every job with its target, operation and
//! items, and each item as the lab holds it now. [`LabSite::counters`](crate::LabSite::counters)
//! gives the counts and violations.

use chrono::{DateTime, Utc};
use serde::Serialize;

use failback_core::provider::{JobStatus, Target};
use failback_core::state::{Operation, ProtectionState};

use super::state::LabState;

/// One job the lab started, as it is now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobView {
    /// Its status, as [`RecoveryProvider::job`](failback_core::provider::RecoveryProvider::job)
    /// reports it.
    pub status: JobStatus,
    /// What it was started on.
    pub target: Target,
    /// Which operation.
    pub operation: Operation,
    /// The items it concerns, by id.
    pub items: Vec<String>,
    /// When it started (simulated time).
    pub started_at: DateTime<Utc>,
    /// When it ended, once it did.
    pub ended_at: Option<DateTime<Utc>>,
}

/// One protected item as the lab holds it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its protection state.
    pub state: ProtectionState,
    /// Its Azure VM runs.
    pub azure_vm_running: bool,
    /// Its Azure VM was deleted (by a commit).
    pub azure_vm_deleted: bool,
    /// The on-premises VM it failed back into, once it did.
    pub on_prem_vm: Option<String>,
    /// The master target its disks are attached to now (classic, from reprotect to
    /// failover).
    pub disks_on: Option<String>,
    /// The mutations accepted in its current stage of the life cycle.
    pub issued: Vec<Operation>,
}

impl LabState {
    pub(crate) fn job_views(&self, now: DateTime<Utc>) -> Vec<JobView> {
        (0..self.jobs.len())
            .map(|j| {
                let job = &self.jobs[j];
                JobView {
                    status: self.status(j, now),
                    target: job.target.clone(),
                    operation: job.op,
                    items: job
                        .items
                        .iter()
                        .map(|&i| self.estate.items[i].id.clone())
                        .collect(),
                    started_at: job.started,
                    ended_at: job.ended,
                }
            })
            .collect()
    }

    pub(crate) fn item_view(&self, i: usize) -> ItemView {
        let it = &self.estate.items[i];
        let rt = &self.runtime[i];
        ItemView {
            id: it.id.clone(),
            name: it.name.clone(),
            state: it.state,
            azure_vm_running: rt.azure_running,
            azure_vm_deleted: rt.azure_deleted,
            on_prem_vm: rt.vm.clone(),
            disks_on: rt.disks_on.clone(),
            issued: rt.issued.clone(),
        }
    }
}
