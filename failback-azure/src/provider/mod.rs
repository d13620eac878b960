//! The recovery-side provider over ASR: [`AzureRecovery`] implements
//! [`RecoveryProvider`] over an [`AsrClient`], reading ASR's resources as failback's model
//! by `docs/asr-mapping.md` (identity, discovery, protection state, operations, jobs).
//!
//! - Items are named by their replication protected item's resource `name`; operations go
//!   to the RPI's ARM id, found in an index of `V/replicationProtectedItems` (paged) that
//!   is listed again once when an item or its RPI is not found.
//! - Mutations are sent once (the HTTP layer sends a POST again only when it cannot have
//!   been processed; the orchestrator owns the rest) and return the ASR job's name, from
//!   the 202's `Location`, else the answer's `currentScenario.jobId`, else the newest job
//!   of the operation on the target that [`RecoveryProvider::find_jobs`] finds.
//! - Inputs a reprotect request leaves out are taken from the vault where ASR's own tools
//!   do (the process server in Azure, the master target's roomiest retention volume, the
//!   vault's failback policy, the vCenter's run-as account, the item's log storage
//!   account); one that cannot be found is an [`ErrorKind::InvalidInput`] error naming
//!   it, before anything is sent.
//!
//! ```no_run
//! # async fn run() -> failback_core::Result<()> {
//! use std::sync::Arc;
//! use failback_azure::http::{AsrClient, ClientSecretCredential};
//! use failback_azure::provider::AzureRecovery;
//! use failback_core::provider::RecoveryProvider;
//!
//! let client = AsrClient::builder()
//!     .with_subscription_id("00000000-0000-0000-0000-000000000000")
//!     .with_resource_group("rg-dr")
//!     .with_vault("vault-dr")
//!     .with_credential(Arc::new(ClientSecretCredential::from_env()?))
//!     .build()?;
//! let azure = AzureRecovery::connect(client).await?;
//! let estate = azure.discover().await?;
//! println!("{} items, {:?}", estate.items.len(), azure.capability());
//! # Ok(())
//! # }
//! ```

mod azure_vm;
mod bodies;
mod compute;
mod discover;
mod ids;
mod index;
mod jobs;
mod site;
pub mod state;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use failback_core::estate::{Estate, Flavor, RecoveryPoint};
use failback_core::provider::{
    Direction, FailoverRequest, JobId, JobState, JobStatus, RecoveryCapability, RecoveryProvider,
    ReprotectRequest, Target,
};
use failback_core::state::{Operation, ProtectionState};
use failback_core::{Error, ErrorKind, ErrorStatus, Result};
use serde_json::Value;

use crate::http::{AsrClient, Lro};
use crate::models::{Job, ReplicationProtectedItem};
use bodies::ReprotectInputs;
use ids::{encode_segment, error, last_segment};
use index::{Index, ItemRef};
use jobs::TargetKey;
use site::Site;

pub use ids::PROVIDER;
pub use jobs::{MEMBER_SEPARATOR, REPLICATION_PROVIDER};

/// How far back [`RecoveryProvider::find_jobs`] asks for jobs by default (ASR keeps a
/// vault's jobs about 30 days).
pub const DEFAULT_JOB_LOOKBACK: Duration = Duration::from_secs(30 * 24 * 3600);

/// How much earlier than the call a job may have started and still be the call's when it
/// is found by [`RecoveryProvider::find_jobs`]: the service's clock and ours may differ.
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// How many recovery point listings discovery has in flight at once.
const POINT_READS: usize = 8;

/// The recovery side of failback over Azure Site Recovery (name `azure`).
pub struct AzureRecovery {
    client: AsrClient,
    flavor: Flavor,
    job_lookback: Option<Duration>,
    index: RwLock<Arc<Index>>,
    refreshing: tokio::sync::Mutex<()>,
    site: tokio::sync::Mutex<Option<Arc<Site>>>,
    /// The `Retry-After` of the operation that started each job still running.
    hints: Mutex<HashMap<String, Duration>>,
    /// For each reprotect job still running: when its item's copy progress was last read
    /// and what it was ([`COPY_PROGRESS_EVERY`]).
    copies: Mutex<HashMap<String, CopyRead>>,
    /// The jobs being polled, as one listing read them ([`JOB_LIST_FRESH`]).
    board: tokio::sync::Mutex<JobBoard>,
    /// The RPIs read lately, by item ([`RPI_FRESH`]).
    rpis: Mutex<HashMap<String, (DateTime<Utc>, ReplicationProtectedItem)>>,
}

/// How long an RPI read answers the next reads of the same item, unless an operation
/// starts on it or a job ends first.
const RPI_FRESH: Duration = Duration::from_secs(5);

/// How long, at most, one listing of `V/replicationJobs` answers the polls of every job
/// it lists (less when the operation's `Retry-After` says to poll sooner): the polls of
/// hundreds of running jobs cost one paged listing every half minute, not one GET per
/// job per poll (ARM counts reads per subscription).
pub const JOB_LIST_FRESH: Duration = Duration::from_secs(30);

/// The jobs being polled and the listing that answers their polls.
#[derive(Debug, Default)]
struct JobBoard {
    /// When the listing was read (the client's clock).
    read_at: Option<DateTime<Utc>>,
    /// The jobs it listed, by name.
    listed: HashMap<String, Job>,
    /// The jobs polled before and not finished, with their start times: the listing
    /// lists from the oldest of them.
    running: HashMap<String, DateTime<Utc>>,
}

/// When a running reprotect's copy progress was last read, and what it was.
type CopyRead = (DateTime<Utc>, Option<u8>);

/// How often, at most, a running reprotect's copy progress is read from its item (one GET
/// of the RPI): ASR's job has no percentage, the item's initial replication has. The
/// orchestrator's stage deadline counts again from each rise, so a long copy that keeps
/// moving is not taken for stuck; once an hour is plenty for a deadline of hours and adds
/// nothing to a job shorter than an hour.
pub const COPY_PROGRESS_EVERY: Duration = Duration::from_secs(3600);

impl std::fmt::Debug for AzureRecovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AzureRecovery")
            .field("vault", &self.client.vault_path())
            .field("flavor", &self.flavor)
            .field("job_lookback", &self.job_lookback)
            .finish_non_exhaustive()
    }
}

fn is_not_found(e: &Error) -> bool {
    e.kind() == Some(ErrorKind::NotFound)
}

impl AzureRecovery {
    /// Restart failed job `job` (`POST V/replicationJobs/{job}/restart`; of a composite
    /// job, each failed member): ASR runs the job's operation again with its inputs. The
    /// job that runs is returned: the answer's job (its body, else the operation's
    /// `Location`), else the same id. Not part of the provider contract (the orchestrator
    /// starts an operation again itself, after checking where its target is); for tools
    /// that script ASR directly. A job that has not failed is refused by ASR (conflict).
    pub async fn restart_job(&self, job: &JobId) -> Result<JobId> {
        let members = Self::members(job)?;
        let mut out = Vec::with_capacity(members.len());
        for m in &members {
            if members.len() > 1 && self.one_job(m).await?.state != JobState::Failed {
                out.push((*m).to_string());
                continue;
            }
            let lro = self
                .client
                .post_lro_empty(&format!("{}/restart", self.job_path(m)?))
                .await?;
            let name = lro
                .result()
                .and_then(|v| v.get("name"))
                .and_then(Value::as_str)
                .or_else(|| lro.job_name())
                .unwrap_or(m)
                .to_string();
            self.board
                .lock()
                .await
                .running
                .insert(name.clone(), self.now() - CLOCK_SKEW);
            out.push(name);
        }
        Ok(JobId(out.join(&MEMBER_SEPARATOR.to_string())))
    }
}

/// The initial replication progress an RPI shows, in percent (0 to 100): classic
/// `InMage` `resyncDetails.initialReplicationProgressPercentage` (a string),
/// `InMageAzureV2` `resyncProgressPercentage`, `InMageRcm` and `InMageRcmFailback`
/// `initialReplicationProgressPercentage`.
fn copy_percent(r: &ReplicationProtectedItem) -> Option<u8> {
    use crate::models::ReplicationProviderSpecificSettings as P;
    let pct: f64 = match r.properties.provider_specific_details.as_ref()? {
        P::InMage(d) => d.resync_details.as_ref()?.progress_percentage().ok()??,
        P::InMageAzureV2(d) => f64::from(d.resync_progress_percentage?),
        P::InMageRcm(d) => f64::from(d.initial_replication_progress_percentage?),
        P::InMageRcmFailback(d) => f64::from(d.initial_replication_progress_percentage?),
        _ => return None,
    };
    // Clamped first, so the cast cannot wrap.
    Some(pct.clamp(0.0, 100.0).round() as u8)
}

impl AzureRecovery {
    /// The provider of the vault `client` reaches, protected by the `flavor` provider.
    pub fn new(client: AsrClient, flavor: Flavor) -> AzureRecovery {
        AzureRecovery {
            client,
            flavor,
            job_lookback: Some(DEFAULT_JOB_LOOKBACK),
            index: RwLock::new(Arc::new(Index::default())),
            refreshing: tokio::sync::Mutex::new(()),
            site: tokio::sync::Mutex::new(None),
            hints: Mutex::new(HashMap::new()),
            copies: Mutex::new(HashMap::new()),
            board: tokio::sync::Mutex::new(JobBoard::default()),
            rpis: Mutex::new(HashMap::new()),
        }
    }

    /// The provider of the vault `client` reaches, its flavour read from the vault's
    /// fabrics: `VMware` (a configuration server) classic, `InMageRcm` (a replication
    /// appliance) modernized. A vault with both or neither is an error: give the flavour
    /// with [`AzureRecovery::new`].
    pub async fn connect(client: AsrClient) -> Result<AzureRecovery> {
        let site = Site::load(&client).await?;
        let classic = site.classic().next().is_some();
        let modernized = site.modernized().next().is_some();
        let flavor = match (classic, modernized) {
            (true, false) => Flavor::Classic,
            (false, true) => Flavor::Modernized,
            (both, _) => {
                return Err(error(
                    ErrorKind::InvalidInput,
                    format!(
                        "vault {}: {}; give the flavour with AzureRecovery::new",
                        client.vault_path(),
                        if both {
                            "it has both a VMware (classic) and an InMageRcm (modernized) fabric"
                        } else {
                            "it has neither a VMware (classic) nor an InMageRcm (modernized) fabric"
                        }
                    ),
                ))
            }
        };
        let p = AzureRecovery::new(client, flavor);
        *p.site.lock().await = Some(Arc::new(site));
        Ok(p)
    }

    /// How far back [`RecoveryProvider::find_jobs`] asks for jobs (`$filter=startTime ge
    /// …`); `None` lists every job of the vault. Default [`DEFAULT_JOB_LOOKBACK`].
    pub fn with_job_lookback(mut self, lookback: Option<Duration>) -> AzureRecovery {
        self.job_lookback = lookback;
        self
    }

    /// The flavour of the vault's protection.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// The client.
    pub fn client(&self) -> &AsrClient {
        &self.client
    }

    fn now(&self) -> DateTime<Utc> {
        self.client.clock().now()
    }

    // ----- the item index -----

    fn current_index(&self) -> Arc<Index> {
        match self.index.read() {
            Ok(i) => i.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn install_index(&self, rpis: &[ReplicationProtectedItem]) -> Arc<Index> {
        let mut slot = match self.index.write() {
            Ok(i) => i,
            Err(poisoned) => poisoned.into_inner(),
        };
        let next = Arc::new(Index::of(rpis, slot.generation + 1));
        *slot = next.clone();
        next
    }

    /// List the items again, unless another call did since the index of generation
    /// `seen` (then that listing is used).
    async fn refresh_index(&self, seen: u64) -> Result<Arc<Index>> {
        let _one = self.refreshing.lock().await;
        let now = self.current_index();
        if now.generation != seen {
            return Ok(now);
        }
        let rpis: Vec<ReplicationProtectedItem> = self
            .client
            .list(&self.client.vault("replicationProtectedItems"))
            .await?;
        Ok(self.install_index(&rpis))
    }

    /// Item `item`'s RPI, listing the items (again) when the index does not have it; and
    /// whether it listed them.
    async fn item_ref(&self, item: &str) -> Result<(ItemRef, bool)> {
        let index = self.current_index();
        if let Some(r) = index.get(item) {
            return Ok((r.clone(), false));
        }
        let index = self.refresh_index(index.generation).await?;
        index.get(item).cloned().map(|r| (r, true)).ok_or_else(|| {
            error(
                ErrorKind::NotFound,
                format!(
                    "protected item {item}: the vault lists no replication protected item of that name"
                ),
            )
        })
    }

    /// `f` on item `item`'s RPI; when it is not found there, the items are listed again
    /// once and `f` runs again if the item's RPI moved.
    async fn on_item<T, F, Fut>(&self, item: &str, f: F) -> Result<T>
    where
        F: Fn(ItemRef) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let (first, listed) = self.item_ref(item).await?;
        match f(first.clone()).await {
            Err(e) if is_not_found(&e) && !listed => {
                let index = self.refresh_index(self.current_index().generation).await?;
                match index.get(item) {
                    Some(r) if r.arm_id != first.arm_id => f(r.clone()).await,
                    _ => Err(e),
                }
            }
            other => other,
        }
    }

    /// Item `item`'s RPI: read again unless read within [`RPI_FRESH`] with no operation
    /// started on it and no job ended since (the guards before an operation and the
    /// operation's own body read it once, not two or three times).
    async fn rpi(&self, item: &str) -> Result<ReplicationProtectedItem> {
        let now = self.now();
        if let Some(r) = self.fresh_rpi(item) {
            return Ok(r);
        }
        let r: ReplicationProtectedItem = self
            .on_item(item, |r| async move { self.client.get(&r.arm_id).await })
            .await?;
        if let Ok(mut c) = self.rpis.lock() {
            c.insert(item.to_string(), (now, r.clone()));
        }
        Ok(r)
    }

    /// Item `item`'s RPI as read within [`RPI_FRESH`], if it was.
    fn fresh_rpi(&self, item: &str) -> Option<ReplicationProtectedItem> {
        let fresh = chrono::Duration::from_std(RPI_FRESH).unwrap_or(chrono::TimeDelta::MAX);
        let now = self.now();
        self.rpis
            .lock()
            .ok()
            .and_then(|c| c.get(item).cloned())
            .filter(|(at, _)| now - *at < fresh)
            .map(|(_, r)| r)
    }

    /// Forget the RPIs read: an operation started or a job ended, so they may have changed.
    fn forget_rpis(&self, item: Option<&str>) {
        if let Ok(mut c) = self.rpis.lock() {
            match item {
                Some(i) => {
                    c.remove(i);
                }
                None => c.clear(),
            }
        }
    }

    // ----- the site -----

    async fn site(&self) -> Result<Arc<Site>> {
        let mut slot = self.site.lock().await;
        if let Some(s) = slot.as_ref() {
            return Ok(s.clone());
        }
        let s = Arc::new(Site::load(&self.client).await?);
        *slot = Some(s.clone());
        Ok(s)
    }

    /// The site, read again when it does not list master target `mt` (added since).
    async fn site_with(&self, mt: Option<&str>) -> Result<Arc<Site>> {
        let s = self.site().await?;
        let known = |s: &Site, m: &str| {
            s.master_target(m).is_some()
                || s.modernized()
                    .flat_map(|(_, d)| &d.reprotect_agents)
                    .any(|a| a.id.as_deref() == Some(m))
        };
        match mt {
            Some(m) if !known(&s, m) => {
                let fresh = Arc::new(Site::load(&self.client).await?);
                let mut slot = self.site.lock().await;
                let mut fresh = (*fresh).clone();
                fresh.log_storage_account = s.log_storage_account.clone();
                let fresh = Arc::new(fresh);
                *slot = Some(fresh.clone());
                Ok(fresh)
            }
            _ => Ok(s),
        }
    }

    // ----- paths -----

    fn plan_path(&self, plan: &str) -> String {
        self.client.vault(&format!(
            "replicationRecoveryPlans/{}",
            encode_segment(plan)
        ))
    }

    fn job_path(&self, job: &str) -> Result<String> {
        if job.trim().is_empty() {
            return Err(error(ErrorKind::InvalidInput, "an empty job id"));
        }
        Ok(self
            .client
            .vault(&format!("replicationJobs/{}", encode_segment(job))))
    }

    // ----- mutations -----

    /// The job `lro` started for `op` on `target` (issued at `issued`), noted as running
    /// since then (less the clock skew allowed), so that even its first poll is answered
    /// by the job listing.
    async fn job_of(
        &self,
        lro: Lro,
        target: &Target,
        op: Operation,
        issued: DateTime<Utc>,
    ) -> Result<JobId> {
        let job = self.started_job(lro, target, op, issued).await?;
        for member in job.0.split(MEMBER_SEPARATOR) {
            self.board
                .lock()
                .await
                .running
                .entry(member.to_string())
                .or_insert(issued - CLOCK_SKEW);
        }
        Ok(job)
    }

    async fn started_job(
        &self,
        lro: Lro,
        target: &Target,
        op: Operation,
        issued: DateTime<Utc>,
    ) -> Result<JobId> {
        if let Some(name) = lro.job_name() {
            if let Some(d) = lro.retry_after() {
                if let Ok(mut h) = self.hints.lock() {
                    h.insert(name.to_string(), d);
                }
            }
            return Ok(JobId(name.to_string()));
        }
        let from_body = lro
            .result()
            .and_then(|v| v.pointer("/properties/currentScenario/jobId"))
            .and_then(Value::as_str)
            .map(last_segment)
            .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case("None"));
        if let Some(name) = from_body {
            return Ok(JobId(name.to_string()));
        }
        let unknown = |why: String| {
            error(
                ErrorKind::Unavailable,
                format!(
                    "{op} of {target} was accepted but its job is not known yet: {why}; look for it with find_jobs"
                ),
            )
        };
        let jobs = self
            .find_jobs(target, op)
            .await
            .map_err(|e| unknown(e.to_string()))?;
        jobs.into_iter()
            .find(|j| match j.started_at {
                Some(t) => t >= issued - CLOCK_SKEW,
                None => !j.state.is_final(),
            })
            .map(|j| j.id)
            .ok_or_else(|| {
                unknown("the answer names no job and the vault lists none started since".into())
            })
    }

    /// POST `action` (with `body`, or none) on item `item`'s RPI and return its job.
    async fn start_on_item(
        &self,
        item: &str,
        op: Operation,
        action: &str,
        body: Option<&Value>,
    ) -> Result<JobId> {
        let issued = self.now();
        self.forget_rpis(Some(item));
        let lro = self
            .on_item(item, |r| async move {
                let path = format!("{}/{action}", r.arm_id);
                match body {
                    Some(b) => self.client.post_lro(&path, b).await,
                    None => self.client.post_lro_empty(&path).await,
                }
            })
            .await?;
        self.job_of(lro, &Target::Item(item.to_string()), op, issued)
            .await
    }

    /// POST `action` on recovery plan `plan` and return its job.
    async fn start_on_plan(
        &self,
        plan: &str,
        op: Operation,
        action: &str,
        body: Option<&Value>,
    ) -> Result<JobId> {
        let issued = self.now();
        self.forget_rpis(None);
        let path = format!("{}/{action}", self.plan_path(plan));
        let lro = match body {
            Some(b) => self.client.post_lro(&path, b).await?,
            None => self.client.post_lro_empty(&path).await?,
        };
        self.job_of(lro, &Target::RecoveryPlan(plan.to_string()), op, issued)
            .await
    }

    /// Reprotect one item with `inputs`.
    async fn reprotect_item(
        &self,
        item: &str,
        direction: Direction,
        inputs: &ReprotectInputs<'_>,
    ) -> Result<JobId> {
        let op = match direction {
            Direction::AzureToOnPrem => Operation::Reprotect,
            Direction::OnPremToAzure => Operation::ReprotectToAzure,
        };
        let site = self
            .site_with(match direction {
                Direction::AzureToOnPrem => inputs.master_target,
                Direction::OnPremToAzure => None,
            })
            .await?;
        let issued = self.now();
        let lro = self
            .on_item(item, |r| {
                let site = site.clone();
                async move {
                    let rpi: ReplicationProtectedItem = match self.fresh_rpi(item) {
                        Some(rpi) if rpi.id.eq_ignore_ascii_case(&r.arm_id) => rpi,
                        _ => self.client.get(&r.arm_id).await?,
                    };
                    self.forget_rpis(Some(item));
                    let body = bodies::reprotect(self.flavor, direction, inputs, &rpi, &site)?;
                    self.client
                        .post_lro(&format!("{}/reProtect", r.arm_id), &body)
                        .await
                }
            })
            .await?;
        self.job_of(lro, &Target::Item(item.to_string()), op, issued)
            .await
    }

    /// The items of recovery plan `plan`, in its boot groups' order.
    async fn plan_items(&self, plan: &str) -> Result<Vec<String>> {
        let p: crate::models::RecoveryPlan = self.client.get(&self.plan_path(plan)).await?;
        Ok(discover::plan(&p, &self.current_index()).items)
    }

    fn poll_hint(&self, job: &str) -> Duration {
        self.hints
            .lock()
            .ok()
            .and_then(|h| h.get(job).copied())
            .unwrap_or_else(|| self.client.poll_interval())
    }

    /// Job `name` as ASR has it now: its first poll reads it alone (`GET`); later polls
    /// are answered by a listing of the jobs since the oldest running one's start, read
    /// again when older than [`JOB_LIST_FRESH`] (one listing for every job polled; a
    /// job the listing misses is read alone).
    async fn polled_job(&self, name: &str) -> Result<Job> {
        let fresh = chrono::Duration::from_std(JOB_LIST_FRESH.min(self.poll_hint(name)))
            .unwrap_or(chrono::TimeDelta::MAX);
        {
            let mut board = self.board.lock().await;
            if let Some(&oldest) = board
                .running
                .contains_key(name)
                .then(|| board.running.values().min())
                .flatten()
            {
                let now = self.now();
                if board.read_at.is_none_or(|at| now - at >= fresh) {
                    let path = self.client.vault(&format!(
                        "replicationJobs?$filter=startTime ge '{}'",
                        oldest.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    ));
                    let listed: Vec<Job> = self.client.list(&path).await?;
                    board.listed = listed.into_iter().map(|j| (j.name.clone(), j)).collect();
                    board.read_at = Some(now);
                }
                if let Some(job) = board.listed.get(name).cloned() {
                    if job
                        .properties
                        .state
                        .as_ref()
                        .is_some_and(|s| jobs::state_of(s).is_some_and(|s| s.is_final()))
                    {
                        board.running.remove(name);
                    }
                    return Ok(job);
                }
            }
        }
        let job: Job = self.client.get(&self.job_path(name)?).await?;
        let done = job
            .properties
            .state
            .as_ref()
            .is_some_and(|s| jobs::state_of(s).is_some_and(|s| s.is_final()));
        let mut board = self.board.lock().await;
        if done {
            board.running.remove(name);
        } else {
            let started = job.properties.start_time.unwrap_or_else(|| self.now());
            board.running.insert(name.to_string(), started);
        }
        Ok(job)
    }

    async fn one_job(&self, name: &str) -> Result<JobStatus> {
        let job: Job = self.polled_job(name).await?;
        let mut status = jobs::job_status(JobId(name.to_string()), &job, self.poll_hint(name))?;
        if status.state.is_final() {
            // The item the job ran on may have changed (a plan's job: any of them).
            let p = &job.properties;
            match p.target_object_id.as_deref() {
                Some(id)
                    if !p
                        .target_instance_type
                        .as_deref()
                        .is_some_and(|t| t.eq_ignore_ascii_case("RecoveryPlan")) =>
                {
                    self.forget_rpis(Some(last_segment(id)));
                }
                _ => self.forget_rpis(None),
            }
            if let Ok(mut h) = self.hints.lock() {
                h.remove(name);
            }
            if let Ok(mut c) = self.copies.lock() {
                c.remove(name);
            }
        } else if status.state == JobState::InProgress {
            status.progress = self.copy_progress(name, &job).await;
        }
        Ok(status)
    }

    /// The copy progress of running reprotect job `name`: read from its item's
    /// replication details at most every [`COPY_PROGRESS_EVERY`] (the first time an hour
    /// after the job started), else the last read. A read that fails leaves the last
    /// progress: the job's own poll succeeded, and the next read tries again.
    async fn copy_progress(&self, name: &str, job: &Job) -> Option<u8> {
        let p = &job.properties;
        let reprotect = p.scenario_name.as_deref().is_some_and(|s| {
            jobs::scenarios(Operation::Reprotect)
                .iter()
                .any(|x| x.eq_ignore_ascii_case(s))
        });
        let rpi = p
            .target_object_id
            .as_deref()
            .filter(|id| id.starts_with('/'))?;
        if !reprotect {
            return None;
        }
        let now = self.now();
        let every =
            chrono::Duration::from_std(COPY_PROGRESS_EVERY).unwrap_or(chrono::TimeDelta::MAX);
        let (last, known) = self
            .copies
            .lock()
            .ok()
            .and_then(|c| c.get(name).copied())
            .unwrap_or((p.start_time.unwrap_or(now), None));
        if now - last < every {
            return known;
        }
        let read = match self.client.get::<ReplicationProtectedItem>(rpi).await {
            Ok(r) => copy_percent(&r).or(known),
            Err(_) => known,
        };
        if let Ok(mut c) = self.copies.lock() {
            c.insert(name.to_string(), (now, read));
        }
        read
    }

    /// The member jobs of `job` (itself when it is not composite).
    fn members(job: &JobId) -> Result<Vec<&str>> {
        let parts: Vec<&str> = job.0.split(MEMBER_SEPARATOR).collect();
        if parts.iter().any(|p| p.trim().is_empty()) {
            return Err(error(
                ErrorKind::InvalidInput,
                format!("job id {job:?} has an empty member"),
            ));
        }
        Ok(parts)
    }

    /// Read the points of `rpis` (the failback replication's), a few listings at once.
    async fn points_of(
        &self,
        rpis: &[&ReplicationProtectedItem],
    ) -> Result<HashMap<String, Vec<crate::models::RecoveryPoint>>> {
        let mut out = HashMap::with_capacity(rpis.len());
        for chunk in rpis.chunks(POINT_READS) {
            let mut set = tokio::task::JoinSet::new();
            for r in chunk {
                let client = self.client.clone();
                let path = format!("{}/recoveryPoints", r.id);
                let name = r.name.clone();
                set.spawn(async move {
                    let points: Result<Vec<crate::models::RecoveryPoint>> =
                        client.list(&path).await;
                    (name, points)
                });
            }
            while let Some(done) = set.join_next().await {
                let (name, points) = done.map_err(|e| {
                    error(
                        ErrorKind::Other,
                        format!("reading recovery points: a task ended early: {e}"),
                    )
                })?;
                out.insert(name, points?);
            }
        }
        Ok(out)
    }
}

impl AzureRecovery {
    /// The Azure VMs of the items that record one, by item: each read from Compute
    /// (`POINT_READS` at a time).
    async fn vms_of(
        &self,
        rpis: &[ReplicationProtectedItem],
    ) -> Result<HashMap<String, failback_core::estate::AzureVm>> {
        let recorded: Vec<(String, compute::Recorded)> = rpis
            .iter()
            .filter(|r| discover::is_vmware_item(r))
            .filter_map(|r| compute::recorded(r).map(|v| (r.name.clone(), v)))
            .collect();
        let mut out = HashMap::with_capacity(recorded.len());
        for chunk in recorded.chunks(POINT_READS) {
            let mut set = tokio::task::JoinSet::new();
            for (name, rec) in chunk {
                let client = self.client.clone();
                let (name, rec) = (name.clone(), rec.clone());
                set.spawn(async move {
                    let found = compute::read(&client, &rec.id).await;
                    (name, rec, found)
                });
            }
            while let Some(done) = set.join_next().await {
                let (name, rec, found) = done.map_err(|e| {
                    error(
                        ErrorKind::Other,
                        format!("reading the Azure VMs: a task ended early: {e}"),
                    )
                })?;
                let found = found?;
                out.insert(name, compute::azure_vm(rec, found.as_ref(), self.now()));
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl RecoveryProvider for AzureRecovery {
    fn name(&self) -> &str {
        PROVIDER
    }

    /// Classic: unplanned failover only, no cancel of a failover. Modernized: planned
    /// failover, which can be cancelled. Both: recovery plans, cancel, resume.
    fn capability(&self) -> RecoveryCapability {
        let modernized = self.flavor == Flavor::Modernized;
        RecoveryCapability {
            classic: !modernized,
            modernized,
            recovery_plans: true,
            planned_failover: modernized,
            cancel: true,
            cancel_failover: modernized,
            resume_jobs: true,
        }
    }

    async fn discover(&self) -> Result<Estate> {
        let c = &self.client;
        let mut site = Site::load(c).await?;
        let rpis: Vec<ReplicationProtectedItem> =
            c.list(&c.vault("replicationProtectedItems")).await?;
        let index = self.install_index(&rpis);
        let plans = c.list(&c.vault("replicationRecoveryPlans")).await?;
        let mappings = site::optional(
            c.list::<Value>(&c.vault("replicationProtectionContainerMappings"))
                .await,
        )?;
        let back: Vec<&ReplicationProtectedItem> =
            rpis.iter().filter(|r| discover::toward_onprem(r)).collect();
        let points = self.points_of(&back).await?;
        let vms = self.vms_of(&rpis).await?;
        site.log_storage_account = rpis.iter().find_map(bodies::log_storage_account);
        let listing = discover::Listing {
            site,
            items: rpis,
            points,
            vms,
            plans,
            mappings,
        };
        let estate = discover::estate(&listing, &index, self.flavor, self.now())?;
        *self.site.lock().await = Some(Arc::new(listing.site));
        Ok(estate)
    }

    /// An item is reprotected with the request's inputs. A recovery plan is reprotected
    /// member by member (ASR no longer reprotects recovery plans), each with the group's
    /// master target, retention volume and policy and its own process server and
    /// datastore (`members`, else the group's), in the plan's order; the job returned is
    /// the members' jobs joined by [`MEMBER_SEPARATOR`], which [`RecoveryProvider::job`],
    /// [`RecoveryProvider::cancel`] and [`RecoveryProvider::resume_job`] take as one job.
    /// When a member's reprotect fails after others started, the error is permanent (the
    /// orchestrator must not issue the started ones again) and names their jobs.
    async fn reprotect(&self, target: &Target, request: &ReprotectRequest) -> Result<JobId> {
        let group = ReprotectInputs {
            master_target: request.master_target.as_deref(),
            process_server: request.process_server.as_deref(),
            datastore: request.datastore.as_deref(),
            retention_volume: request.retention_volume.as_deref(),
            policy: request.policy.as_deref(),
        };
        let plan = match target {
            Target::Item(item) => {
                return self.reprotect_item(item, request.direction, &group).await
            }
            Target::RecoveryPlan(plan) => plan,
        };
        let members: Vec<String> = if request.members.is_empty() {
            self.plan_items(plan).await?
        } else {
            request.members.iter().map(|m| m.item.clone()).collect()
        };
        if members.is_empty() {
            return Err(error(
                ErrorKind::InvalidInput,
                format!("reprotect of recovery plan {plan}: the plan has no item"),
            ));
        }
        let mut started: Vec<String> = Vec::new();
        for item in &members {
            let own = request.members.iter().find(|m| &m.item == item);
            let inputs = ReprotectInputs {
                process_server: own
                    .and_then(|m| m.process_server.as_deref())
                    .or(group.process_server),
                datastore: own.and_then(|m| m.datastore.as_deref()).or(group.datastore),
                ..group
            };
            match self.reprotect_item(item, request.direction, &inputs).await {
                Ok(job) => started.push(job.0),
                Err(e) if started.is_empty() => return Err(e),
                Err(e) => {
                    return Err(error(
                        e.kind().unwrap_or(ErrorKind::Other),
                        format!(
                            "reprotect of recovery plan {plan}: member {item} failed after {} started (jobs {}): {e}",
                            started.len(),
                            started.join(", ")
                        ),
                    )
                    .with_status(ErrorStatus::Permanent))
                }
            }
        }
        Ok(JobId(started.join(&MEMBER_SEPARATOR.to_string())))
    }

    /// Classic: `unplannedFailover` (`InMage`, the Azure VM shut down); modernized:
    /// `plannedFailover` (`InMageRcmFailback`). The flavour decides, not
    /// [`FailoverRequest::planned`].
    async fn failover(&self, target: &Target, request: &FailoverRequest) -> Result<JobId> {
        match target {
            Target::Item(item) => {
                let (action, body) =
                    bodies::item_failover(self.flavor, &target.to_string(), &request.point)?;
                self.start_on_item(item, Operation::Failover, action, Some(&body))
                    .await
            }
            Target::RecoveryPlan(plan) => {
                let (action, body) =
                    bodies::plan_failover(self.flavor, &target.to_string(), &request.point)?;
                self.start_on_plan(plan, Operation::Failover, action, Some(&body))
                    .await
            }
        }
    }

    async fn commit(&self, target: &Target) -> Result<JobId> {
        match target {
            Target::Item(item) => {
                self.start_on_item(item, Operation::Commit, "failoverCommit", None)
                    .await
            }
            Target::RecoveryPlan(plan) => {
                self.start_on_plan(plan, Operation::Commit, "failoverCommit", None)
                    .await
            }
        }
    }

    async fn cancel(&self, job: &JobId) -> Result<()> {
        let members = Self::members(job)?;
        if let [one] = members.as_slice() {
            self.client
                .post_lro_empty(&format!("{}/cancel", self.job_path(one)?))
                .await?;
            return Ok(());
        }
        let mut cancelled = 0;
        for m in members {
            if self.one_job(m).await?.state.is_final() {
                continue;
            }
            self.client
                .post_lro_empty(&format!("{}/cancel", self.job_path(m)?))
                .await?;
            cancelled += 1;
        }
        if cancelled == 0 {
            return Err(error(
                ErrorKind::Conflict,
                format!("job {job} has already ended: every member job has"),
            ));
        }
        Ok(())
    }

    /// `failoverCancel` on the item or the plan; the classic flavour's unplanned failover
    /// cannot be cancelled ([`ErrorKind::NotSupported`], nothing sent).
    async fn cancel_failover(&self, target: &Target) -> Result<JobId> {
        if self.flavor != Flavor::Modernized {
            return Err(error(
                ErrorKind::NotSupported,
                format!(
                    "cancelling the failover of {target} is not supported: a classic unplanned failover cannot be cancelled (commit it, or hold it uncommitted)"
                ),
            ));
        }
        match target {
            Target::Item(item) => {
                self.start_on_item(item, Operation::CancelFailover, "failoverCancel", None)
                    .await
            }
            Target::RecoveryPlan(plan) => {
                self.start_on_plan(plan, Operation::CancelFailover, "failoverCancel", None)
                    .await
            }
        }
    }

    async fn resume_job(&self, job: &JobId, comment: &str) -> Result<()> {
        let body = bodies::resume(comment);
        let members = Self::members(job)?;
        if let [one] = members.as_slice() {
            self.client
                .post_lro(&format!("{}/resume", self.job_path(one)?), &body)
                .await?;
            return Ok(());
        }
        let mut resumed = 0;
        for m in members {
            if self.one_job(m).await?.state != JobState::Suspended {
                continue;
            }
            self.client
                .post_lro(&format!("{}/resume", self.job_path(m)?), &body)
                .await?;
            resumed += 1;
        }
        if resumed == 0 {
            return Err(error(
                ErrorKind::Conflict,
                format!("job {job} is not suspended: no member job waits on a manual action"),
            ));
        }
        Ok(())
    }

    async fn job(&self, job: &JobId) -> Result<JobStatus> {
        let members = Self::members(job)?;
        if let [one] = members.as_slice() {
            return self.one_job(one).await;
        }
        let mut all = Vec::with_capacity(members.len());
        for m in members {
            all.push(self.one_job(m).await?);
        }
        Ok(jobs::combine(job.clone(), all))
    }

    /// `V/replicationJobs` (since the look-back, `$filter=startTime ge '…'`, and checked
    /// again here), kept where the job's target and scenario are the operation's on
    /// `target` (`docs/asr-mapping.md`, "Jobs"), newest first by `startTime` (jobs without
    /// one last). An item the vault does not list has no job.
    async fn find_jobs(&self, target: &Target, operation: Operation) -> Result<Vec<JobStatus>> {
        let item_ref;
        let plan_path;
        let key = match target {
            Target::Item(item) => {
                item_ref = match self.item_ref(item).await {
                    Ok((r, _)) => r,
                    Err(e) if is_not_found(&e) => ItemRef {
                        name: item.clone(),
                        arm_id: String::new(),
                        friendly_name: None,
                    },
                    Err(e) => return Err(e),
                };
                TargetKey::Item(&item_ref)
            }
            Target::RecoveryPlan(plan) => {
                plan_path = self.plan_path(plan);
                TargetKey::Plan {
                    name: plan,
                    arm_id: &plan_path,
                }
            }
        };
        let since = self.job_lookback.and_then(|d| {
            chrono::Duration::from_std(d)
                .ok()
                .and_then(|d| self.now().checked_sub_signed(d))
        });
        let path = match since {
            Some(t) => self.client.vault(&format!(
                "replicationJobs?$filter=startTime ge '{}'",
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )),
            None => self.client.vault("replicationJobs"),
        };
        let listed: Vec<Job> = self.client.list(&path).await?;
        let mut found = Vec::new();
        for j in listed
            .iter()
            .filter(|j| jobs::is_job_of(j, &key, operation))
        {
            let s = jobs::job_status(JobId(j.name.clone()), j, self.poll_hint(&j.name))?;
            if since.is_some_and(|t| s.started_at.is_some_and(|s| s < t)) {
                continue;
            }
            found.push(s);
        }
        found.sort_by(|a, b| match (a.started_at, b.started_at) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        Ok(found)
    }

    async fn protection_state(&self, item: &str) -> Result<ProtectionState> {
        let rpi = self.rpi(item).await?;
        state::protection_state(&rpi).map_err(|e| error(ErrorKind::Other, e.to_string()))
    }

    /// `RPI/recoveryPoints`, each with its ARM id (what a failover to it sends).
    async fn recovery_points(&self, item: &str) -> Result<Vec<RecoveryPoint>> {
        let points: Vec<crate::models::RecoveryPoint> = self
            .on_item(item, |r| async move {
                self.client
                    .list(&format!("{}/recoveryPoints", r.arm_id))
                    .await
            })
            .await?;
        let mut out = points
            .iter()
            .map(|p| discover::point(item, p))
            .collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|p| p.time);
        Ok(out)
    }

    /// ASR shows no power state of the Azure VM; the rule (`docs/asr-mapping.md`,
    /// "Protection state"): it runs while the item's active location is `Recovery` (a
    /// failover to on-premises still running included), it is shut down (or deleted by
    /// the commit) once the active location is `Primary`, except while a cancel of the
    /// failover runs (it starts the VM again).
    async fn azure_vm_shut_down(&self, item: &str) -> Result<bool> {
        let rpi = self.rpi(item).await?;
        azure_vm::shut_down(&rpi)
    }
}
