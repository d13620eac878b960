//! A drill over HTTP: the lab site served as an Azure Site Recovery vault by the
//! simulator (`failback-asr-sim`), and the run's recovery side through the real adapter
//! (`failback-azure`'s [`AzureRecovery`] on an [`AsrClient`]) against it, so every
//! reprotect, failover, commit and job poll crosses the REST protocol (paths, bodies,
//! long-running operations, `Retry-After`, errors as ARM bodies). The on-premises side and
//! the verify gate stay the lab's own, in process, until the vSphere adapter exists.

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use failback_azure::http::{AsrClient, StaticToken};
use failback_azure::provider::AzureRecovery;
use failback_lab::LabSite;
use schemars::JsonSchema;
use serde::Serialize;

use crate::drill::{Connect, Providers};
use crate::DrillError;

/// The lab's time scale of a drill over HTTP when none is asked for: discrete-event time
/// cannot wait for sockets (its clock would jump past every timeout while a request is
/// in flight), so the lab runs on a scaled clock, 2,000 simulated seconds a second (a
/// ten-hour reprotect in 18 seconds). Faster, the polls of a simulated minute no longer
/// fit in its real 30 milliseconds on a small machine: the run then measures the
/// machine, not the schedule.
pub const DEFAULT_TIME_SCALE: f64 = 2_000.0;

/// How often, in the lab's simulated time, the simulator tells the adapter to poll a
/// running operation (`Retry-After`), as ASR's own 60 seconds or so.
const POLL_EVERY: Duration = Duration::from_secs(60);

/// The HTTP requests a run sent to the vault: the report's requests per item.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct HttpRequests {
    /// What the requests went to: the API, its version and the endpoint.
    pub over: String,
    /// Every request sent (every attempt: retries, pages, polls; token requests not).
    pub total: u64,
    /// GET requests.
    pub get: u64,
    /// PUT requests.
    pub put: u64,
    /// POST requests.
    pub post: u64,
    /// Requests of other methods.
    pub other: u64,
    /// Of all these, the retries of a failed attempt.
    pub retries: u64,
    /// Of all these, the ones answered 429 (throttled).
    pub throttled: u64,
    /// The items of the run.
    pub items: usize,
    /// `total` over `items`.
    pub per_item: f64,
}

type CountFn = dyn Fn(usize) -> HttpRequests + Send + Sync;

/// What a run went through when it was not in process: counts its requests for the
/// report, and keeps what serves it (the simulator) alive while the run lasts.
#[derive(Clone)]
pub struct Transport {
    counts: Arc<CountFn>,
    _serving: Arc<dyn Any + Send + Sync>,
}

impl Transport {
    /// A transport whose requests `counts` gives (given the run's item count), and which
    /// keeps `serving` alive (dropped with the last clone of the providers).
    pub fn new(
        counts: impl Fn(usize) -> HttpRequests + Send + Sync + 'static,
        serving: Arc<dyn Any + Send + Sync>,
    ) -> Transport {
        Transport {
            counts: Arc::new(counts),
            _serving: serving,
        }
    }

    /// The requests sent so far, for a run of `items` items.
    pub fn requests(&self, items: usize) -> HttpRequests {
        (self.counts)(items)
    }
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transport(..)")
    }
}

/// Connect a drill over HTTP: serve its lab with the ASR simulator on a loopback port and
/// return the Azure adapter pointed at it (on the lab's clock, so its polls and retries
/// wait in simulated time), with the lab's on-premises side and verifier. The lab must
/// run on a scaled clock ([`DEFAULT_TIME_SCALE`]), not discrete-event time. A resume
/// serves the restored lab again, on a new port.
pub fn over_http() -> Connect {
    Connect::new(|lab: &LabSite| {
        if lab.settings().virtual_time {
            return Err(DrillError::usage(
                "a drill over HTTP needs a scaled clock: give --time-scale (discrete-event \
                 time cannot wait for sockets)",
            ));
        }
        let handle = tokio::runtime::Handle::try_current().map_err(|e| {
            DrillError::usage(format!("a drill over HTTP needs the drill's runtime: {e}"))
        })?;
        let lab = lab.clone();
        handle.block_on(connect(lab))
    })
}

async fn connect(lab: LabSite) -> Result<Providers, DrillError> {
    let settings = failback_asr_sim::Settings {
        retry_after: POLL_EVERY,
        ..failback_asr_sim::Settings::default()
    };
    let vault = settings.vault.clone();
    let token = settings.token.clone();
    let sim = failback_asr_sim::start(lab.clone(), settings)
        .await
        .map_err(|e| DrillError::usage(format!("cannot start the ASR simulator: {e}")))?;
    let endpoint = sim.http_url();
    let client = AsrClient::builder()
        .with_endpoint(endpoint.clone())
        .with_subscription_id(vault.subscription)
        .with_resource_group(vault.resource_group)
        .with_vault(vault.name)
        .with_credential(Arc::new(StaticToken::new(token)))
        .with_clock(lab.clock())
        .build()?;
    let recovery = AzureRecovery::connect(client.clone()).await?;
    let over = format!(
        "Azure Site Recovery REST, api-version {}, at {endpoint} (failback-asr-sim)",
        client.api_version()
    );
    let transport = Transport::new(
        move |items| {
            let c = client.request_counts();
            let total = c.total();
            HttpRequests {
                over: over.clone(),
                total,
                get: c.get,
                put: c.put,
                post: c.post,
                other: c.other,
                retries: c.retries,
                throttled: c.throttled,
                items,
                per_item: if items == 0 {
                    0.0
                } else {
                    total as f64 / items as f64
                },
            }
        },
        Arc::new(sim),
    );
    Ok(Providers {
        recovery: Arc::new(recovery),
        onprem: lab.onprem(),
        verifier: lab.verifier(),
        transport: Some(transport),
    })
}
