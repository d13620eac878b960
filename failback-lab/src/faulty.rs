//! Faults as a wrapper over any provider, in the manner of object_store's `ThrottledStore`:
//! [`FaultyRecovery`] and [`FaultyOnPrem`] put the lab's seeded call faults (latency,
//! throttling, transient errors, lost responses) in front of any
//! [`RecoveryProvider`] or [`OnPremProvider`]: the Azure adapter over its simulator, the
//! vSphere adapter over vcsim, a mock in a test.
//!
//! The draw is the lab's own ([`Faults`] keyed by seed, call kind, subject and the call's
//! number), so the same seed and rates meet the same faults on the same calls whether the
//! lab injects them itself or a wrapper does over a healthy lab (tested).
//!
//! What a wrapper cannot do honestly is fail a job: the wrapped provider's state would
//! still move on. The `job_failure` rate of [`Faults`] is therefore ignored here; job failures are the
//! simulated site's (the lab's, which the ASR simulator serves).
//!
//! ```
//! # use std::sync::Arc;
//! use failback_core::provider::RecoveryProvider;
//! use failback_lab::faulty::{FaultInjector, FaultyRecovery};
//! use failback_lab::{Faults, LabSettings, LabSite};
//!
//! let lab = LabSite::generated(4, 1, LabSettings { virtual_time: true, ..LabSettings::default() });
//! let faults = Arc::new(FaultInjector::new(Faults { throttle: 0.5, ..Faults::none() }, 7));
//! let provider: Arc<dyn RecoveryProvider> = Arc::new(FaultyRecovery::new(lab.recovery(), faults.clone()));
//! assert_eq!(provider.name(), "lab");
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use failback_core::clock::Clock;
use failback_core::estate::{Estate, RecoveryPoint};
use failback_core::provider::{
    Direction, FailoverRequest, JobId, JobStatus, OnPremCapability, OnPremProvider,
    RecoveryCapability, RecoveryProvider, ReprotectRequest, Target, VmRuntime, VmSpec,
};
use failback_core::state::{Operation, ProtectionState};
use failback_core::Result;

use super::faults::{self, FaultCounts, Faults};

/// The seeded call faults shared by the wrappers of one site: the rates, the seed, the
/// calls counted per kind and subject, and what was injected.
pub struct FaultInjector {
    faults: Faults,
    seed: u64,
    clock: Option<Arc<dyn Clock>>,
    state: Mutex<Tally>,
}

#[derive(Default)]
struct Tally {
    calls: HashMap<(String, String), u64>,
    counts: FaultCounts,
}

impl fmt::Debug for FaultInjector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultInjector")
            .field("faults", &self.faults)
            .field("seed", &self.seed)
            .field("counts", &self.counts())
            .finish_non_exhaustive()
    }
}

impl FaultInjector {
    /// Inject `faults`, drawn from `seed`. Latency is slept on tokio's clock unless
    /// [`with_clock`](Self::with_clock) names another.
    pub fn new(faults: Faults, seed: u64) -> FaultInjector {
        FaultInjector {
            faults,
            seed,
            clock: None,
            state: Mutex::new(Tally::default()),
        }
    }

    /// Sleep the latency on `clock` (the simulated site's, say).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> FaultInjector {
        self.clock = Some(clock);
        self
    }

    /// The rates injected.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// What was injected so far (`job_failures` stays 0: see the module's text).
    pub fn counts(&self) -> FaultCounts {
        self.tally().counts
    }

    fn tally(&self) -> std::sync::MutexGuard<'_, Tally> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Enter a call: sleep the latency, then draw its fault. Throttling and transient
    /// errors are returned (the call is not passed on); for a mutation, `Ok(true)` says
    /// its response is to be lost once it took effect.
    async fn enter(
        &self,
        provider: &str,
        kind: &str,
        subject: &str,
        mutation: bool,
    ) -> Result<bool> {
        let latency = self.faults.latency;
        if !latency.is_zero() {
            match &self.clock {
                Some(c) => c.sleep(latency).await,
                None => tokio::time::sleep(latency).await,
            }
        }
        let mut guard = self.tally();
        let t = &mut *guard;
        let calls = &mut t.calls;
        self.faults.meet(
            self.seed,
            (kind, subject, mutation),
            provider,
            &mut t.counts,
            || {
                let slot = calls
                    .entry((kind.to_string(), subject.to_string()))
                    .or_insert(0);
                *slot += 1;
                *slot - 1
            },
        )
    }

    /// Pass a call on, losing the response of a mutation that took effect when drawn so.
    async fn call<T, F>(
        &self,
        provider: &str,
        kind: &str,
        subject: &str,
        mutation: bool,
        f: F,
    ) -> Result<T>
    where
        F: std::future::Future<Output = Result<T>>,
    {
        let lose = self.enter(provider, kind, subject, mutation).await?;
        let out = f.await?;
        if lose {
            self.tally().counts.lost_responses += 1;
            return Err(faults::lost_response(provider));
        }
        Ok(out)
    }
}

/// A recovery provider behind the seeded call faults of a [`FaultInjector`].
#[derive(Debug)]
pub struct FaultyRecovery<P: ?Sized> {
    inner: Arc<P>,
    faults: Arc<FaultInjector>,
}

impl<P: RecoveryProvider + ?Sized> FaultyRecovery<P> {
    /// Wrap `inner`.
    pub fn new(inner: Arc<P>, faults: Arc<FaultInjector>) -> FaultyRecovery<P> {
        FaultyRecovery { inner, faults }
    }

    /// The provider wrapped.
    pub fn inner(&self) -> &Arc<P> {
        &self.inner
    }

    /// Pass a call of `kind` on `subject` to the provider wrapped, through the faults.
    async fn pass<T>(
        &self,
        kind: &str,
        subject: &str,
        mutation: bool,
        call: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        let name = self.inner.name();
        self.faults.call(name, kind, subject, mutation, call).await
    }

    /// A mutation of `op` on `target`, through the faults (a response may be lost).
    async fn mutate(
        &self,
        op: Operation,
        target: &Target,
        call: impl std::future::Future<Output = Result<JobId>>,
    ) -> Result<JobId> {
        let kind = format!("recovery.{op}");
        self.pass(&kind, &target.to_string(), true, call).await
    }
}

#[async_trait]
impl<P: RecoveryProvider + ?Sized> RecoveryProvider for FaultyRecovery<P> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn capability(&self) -> RecoveryCapability {
        self.inner.capability()
    }

    async fn discover(&self) -> Result<Estate> {
        let call = self.inner.discover();
        self.pass("recovery.discover", "", false, call).await
    }

    async fn reprotect(&self, target: &Target, request: &ReprotectRequest) -> Result<JobId> {
        let op = match request.direction {
            Direction::AzureToOnPrem => Operation::Reprotect,
            Direction::OnPremToAzure => Operation::ReprotectToAzure,
        };
        let call = self.inner.reprotect(target, request);
        self.mutate(op, target, call).await
    }

    async fn failover(&self, target: &Target, request: &FailoverRequest) -> Result<JobId> {
        let call = self.inner.failover(target, request);
        self.mutate(Operation::Failover, target, call).await
    }

    async fn commit(&self, target: &Target) -> Result<JobId> {
        let call = self.inner.commit(target);
        self.mutate(Operation::Commit, target, call).await
    }

    async fn cancel(&self, job: &JobId) -> Result<()> {
        let call = self.inner.cancel(job);
        self.pass("recovery.cancel", &job.0, true, call).await
    }

    async fn cancel_failover(&self, target: &Target) -> Result<JobId> {
        let call = self.inner.cancel_failover(target);
        self.mutate(Operation::CancelFailover, target, call).await
    }

    async fn resume_job(&self, job: &JobId, comment: &str) -> Result<()> {
        let call = self.inner.resume_job(job, comment);
        self.pass("recovery.resume_job", &job.0, true, call).await
    }

    async fn job(&self, job: &JobId) -> Result<JobStatus> {
        let call = self.inner.job(job);
        self.pass("recovery.job", &job.0, false, call).await
    }

    async fn find_jobs(&self, target: &Target, operation: Operation) -> Result<Vec<JobStatus>> {
        let call = self.inner.find_jobs(target, operation);
        self.pass("recovery.find_jobs", &target.to_string(), false, call)
            .await
    }

    async fn protection_state(&self, item: &str) -> Result<ProtectionState> {
        let call = self.inner.protection_state(item);
        self.pass("recovery.protection_state", item, false, call)
            .await
    }

    async fn recovery_points(&self, item: &str) -> Result<Vec<RecoveryPoint>> {
        let call = self.inner.recovery_points(item);
        self.pass("recovery.recovery_points", item, false, call)
            .await
    }

    async fn azure_vm_shut_down(&self, item: &str) -> Result<bool> {
        let call = self.inner.azure_vm_shut_down(item);
        self.pass("recovery.azure_vm_shut_down", item, false, call)
            .await
    }
}

/// An on-premises provider behind the seeded call faults of a [`FaultInjector`]. Its
/// calls are not drawn as mutations (a lost response is a recovery-side fault, as in the
/// lab).
#[derive(Debug)]
pub struct FaultyOnPrem<P: ?Sized> {
    inner: Arc<P>,
    faults: Arc<FaultInjector>,
}

impl<P: OnPremProvider + ?Sized> FaultyOnPrem<P> {
    /// Wrap `inner`.
    pub fn new(inner: Arc<P>, faults: Arc<FaultInjector>) -> FaultyOnPrem<P> {
        FaultyOnPrem { inner, faults }
    }

    /// The provider wrapped.
    pub fn inner(&self) -> &Arc<P> {
        &self.inner
    }

    /// Pass a call of `kind` on `subject` to the provider wrapped, through the faults.
    async fn pass<T>(
        &self,
        kind: &str,
        subject: &str,
        call: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        let name = self.inner.name();
        self.faults.call(name, kind, subject, false, call).await
    }
}

#[async_trait]
impl<P: OnPremProvider + ?Sized> OnPremProvider for FaultyOnPrem<P> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn capability(&self) -> OnPremCapability {
        self.inner.capability()
    }

    async fn discover(&self) -> Result<Estate> {
        self.pass("onprem.discover", "", self.inner.discover())
            .await
    }

    async fn vm_runtime(&self, item: &str) -> Result<Option<VmRuntime>> {
        self.pass("onprem.vm_runtime", item, self.inner.vm_runtime(item))
            .await
    }

    async fn create_vm(&self, spec: &VmSpec) -> Result<String> {
        self.pass("onprem.create_vm", &spec.name, self.inner.create_vm(spec))
            .await
    }

    async fn attach_disk(&self, vm: &str, disk_path: &str) -> Result<()> {
        let call = self.inner.attach_disk(vm, disk_path);
        self.pass("onprem.attach_disk", vm, call).await
    }

    async fn detach_disk(&self, vm: &str, disk_path: &str) -> Result<()> {
        let call = self.inner.detach_disk(vm, disk_path);
        self.pass("onprem.detach_disk", vm, call).await
    }

    async fn set_config_param(&self, vm: &str, key: &str, value: &str) -> Result<()> {
        let call = self.inner.set_config_param(vm, key, value);
        self.pass("onprem.set_config_param", vm, call).await
    }

    async fn set_power(&self, vm: &str, on: bool) -> Result<()> {
        let call = self.inner.set_power(vm, on);
        self.pass("onprem.set_power", vm, call).await
    }
}
