//! The lab's recovery side: Azure Site Recovery in memory.

use std::sync::Arc;

use async_trait::async_trait;

use super::faults;
use super::persist::Call;
use super::state::{Shared, StartInput};
use super::PROVIDER;
use failback_core::estate::{Estate, Flavor, RecoveryPoint};
use failback_core::provider::{
    Direction, FailoverRequest, JobId, JobStatus, RecoveryCapability, RecoveryProvider,
    ReprotectRequest, Target,
};
use failback_core::state::{Operation, ProtectionState};
use failback_core::Result;

/// The lab's Azure Site Recovery: implements [`RecoveryProvider`] over the lab's state.
pub struct LabRecovery {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for LabRecovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabRecovery")
            .field("seed", &self.shared.settings.seed)
            .finish_non_exhaustive()
    }
}

impl LabRecovery {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        LabRecovery { shared }
    }

    /// The call of a listing of `what` (`jobs`, `fabrics`, `items`...), as a simulator
    /// serving one calls it: its latency, then its fault (throttled or transient, as any
    /// read), without making the estate; what is listed the caller reads from the site
    /// ([`LabSite::jobs`](crate::LabSite::jobs), [`LabSite::estate`](crate::LabSite::estate)).
    pub async fn list(&self, what: &str) -> Result<()> {
        self.shared
            .enter(&format!("recovery.list_{what}"), "", false)
            .await
            .map(|_| ())
    }

    /// Start a mutation through the fault draw; a lost response starts the job and errs.
    async fn mutate(&self, target: &Target, op: Operation, input: StartInput) -> Result<JobId> {
        let subject = target.to_string();
        let lost = self
            .shared
            .enter(&format!("recovery.{op}"), &subject, true)
            .await?;
        let (mut st, now) = self.shared.lock();
        let call = Call::Start {
            target: target.clone(),
            op,
            input: input.clone(),
        };
        let job = st.start(now, &self.shared.settings, target, op, input);
        if lost && job.is_ok() {
            st.counters.faults.lost_responses += 1;
        }
        // Durable before the caller hears of it, refused or accepted.
        self.shared.log(&mut st, now, call, job.is_ok())?;
        let job = job?;
        if lost {
            return Err(faults::lost_response(PROVIDER));
        }
        Ok(job)
    }
}

#[async_trait]
impl RecoveryProvider for LabRecovery {
    fn name(&self) -> &str {
        PROVIDER
    }

    fn capability(&self) -> RecoveryCapability {
        RecoveryCapability {
            classic: true,
            modernized: true,
            recovery_plans: true,
            planned_failover: true,
            cancel: true,
            // The modernized planned failover can be cancelled; the classic unplanned one
            // cannot.
            cancel_failover: self.shared.flavor == Flavor::Modernized,
            resume_jobs: true,
        }
    }

    async fn discover(&self) -> Result<Estate> {
        self.shared.enter("recovery.discover", "", false).await?;
        let (st, now) = self.shared.read()?;
        let mut e = st.snapshot(now);
        // The on-premises half is the other provider's.
        e.vcenters.clear();
        e.hosts.clear();
        e.datastores.clear();
        e.vms.clear();
        Ok(e)
    }

    async fn reprotect(&self, target: &Target, request: &ReprotectRequest) -> Result<JobId> {
        let op = match request.direction {
            Direction::AzureToOnPrem => Operation::Reprotect,
            Direction::OnPremToAzure => Operation::ReprotectToAzure,
        };
        let input = StartInput::Reprotect {
            master_target: request.master_target.clone(),
            datastore: request.datastore.clone(),
            process_server: request.process_server.clone(),
            members: request.members.clone(),
        };
        self.mutate(target, op, input).await
    }

    async fn failover(&self, target: &Target, request: &FailoverRequest) -> Result<JobId> {
        let input = StartInput::Failover(request.point.clone());
        self.mutate(target, Operation::Failover, input).await
    }

    async fn commit(&self, target: &Target) -> Result<JobId> {
        self.mutate(target, Operation::Commit, StartInput::Plain)
            .await
    }

    async fn cancel(&self, job: &JobId) -> Result<()> {
        let lost = self.shared.enter("recovery.cancel", &job.0, true).await?;
        let (mut st, now) = self.shared.lock();
        let done = st.cancel(job, now);
        if lost && done.is_ok() {
            st.counters.faults.lost_responses += 1;
        }
        let call = Call::Cancel { job: job.clone() };
        self.shared.log(&mut st, now, call, done.is_ok())?;
        done?;
        if lost {
            return Err(faults::lost_response(PROVIDER));
        }
        Ok(())
    }

    async fn cancel_failover(&self, target: &Target) -> Result<JobId> {
        if self.shared.flavor != Flavor::Modernized {
            return Err(failback_core::Error::provider(
                PROVIDER,
                failback_core::ErrorKind::NotSupported,
                format!(
                    "cancelling the failover of {target} is not supported: a classic \
                     unplanned failover cannot be cancelled (commit it, or hold it uncommitted)"
                ),
            ));
        }
        self.mutate(target, Operation::CancelFailover, StartInput::Plain)
            .await
    }

    async fn resume_job(&self, job: &JobId, comment: &str) -> Result<()> {
        let lost = self
            .shared
            .enter("recovery.resume_job", &job.0, true)
            .await?;
        let (mut st, now) = self.shared.lock();
        let done = st.resume_job(job, comment, now);
        if lost && done.is_ok() {
            st.counters.faults.lost_responses += 1;
        }
        let call = Call::ResumeJob {
            job: job.clone(),
            comment: comment.to_string(),
        };
        self.shared.log(&mut st, now, call, done.is_ok())?;
        done?;
        if lost {
            return Err(faults::lost_response(PROVIDER));
        }
        Ok(())
    }

    async fn job(&self, job: &JobId) -> Result<JobStatus> {
        self.shared.enter("recovery.job", &job.0, false).await?;
        let (st, now) = self.shared.read()?;
        st.job_status(job, now)
    }

    async fn find_jobs(&self, target: &Target, operation: Operation) -> Result<Vec<JobStatus>> {
        self.shared
            .enter("recovery.find_jobs", &target.to_string(), false)
            .await?;
        let (st, now) = self.shared.read()?;
        Ok(st.find_jobs(target, operation, now))
    }

    async fn protection_state(&self, item: &str) -> Result<ProtectionState> {
        self.shared
            .enter("recovery.protection_state", item, false)
            .await?;
        let (st, _) = self.shared.read()?;
        let i = st.item(item)?;
        Ok(st.estate.items[i].state)
    }

    async fn recovery_points(&self, item: &str) -> Result<Vec<RecoveryPoint>> {
        self.shared
            .enter("recovery.recovery_points", item, false)
            .await?;
        let (st, now) = self.shared.read()?;
        let i = st.item(item)?;
        Ok(st.points_of(i, now))
    }

    async fn azure_vm_shut_down(&self, item: &str) -> Result<bool> {
        self.shared
            .enter("recovery.azure_vm_shut_down", item, false)
            .await?;
        let (st, _) = self.shared.read()?;
        let i = st.item(item)?;
        let rt = &st.runtime[i];
        Ok(rt.azure_deleted || !rt.azure_running)
    }
}
