//! Fault injection: what can go wrong on a call or a job, at which rate, and the seeded,
//! hand-written hash (splitmix64) every random choice of the lab is drawn from.
//!
//! Draws are keyed rather than sequential: a fault on the n-th call of one kind for one
//! subject, a job's duration and whether it fails depend on the seed, the subject and its
//! own count only, so concurrent callers interleaving differently still meet the same
//! faults for the same subject.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use failback_core::{Error, ErrorKind, JobError};

/// The faults a lab site injects. Rates are probabilities per call (or per job for
/// `job_failure`) in `0..=1`; zero everywhere (the default) means a healthy site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// A call fails before it has any effect with [`ErrorKind::Unavailable`] or
    /// [`ErrorKind::Timeout`] (both retryable).
    pub transient: f64,
    /// A call is throttled before it has any effect: [`ErrorKind::RateLimited`] with
    /// `retry_after`.
    pub throttle: f64,
    /// The wait a throttled call asks for (simulated time).
    pub retry_after: Duration,
    /// A job started ends [`JobState::Failed`](failback_core::provider::JobState::Failed) with a
    /// cause, leaving its items in the state before it.
    pub job_failure: f64,
    /// A mutation takes effect (its job starts) but the call returns
    /// [`ErrorKind::Unavailable`], as when a response is lost on the way back: the caller
    /// must look for the job before trying again.
    pub lost_response: f64,
    /// Every call first sleeps this long on the lab's clock (simulated time).
    pub latency: Duration,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            transient: 0.0,
            throttle: 0.0,
            retry_after: Duration::from_secs(30),
            job_failure: 0.0,
            lost_response: 0.0,
            latency: Duration::ZERO,
        }
    }
}

impl Faults {
    /// No fault and no latency.
    pub fn none() -> Self {
        Faults::default()
    }

    /// Whether any fault can happen (latency aside).
    pub fn any(&self) -> bool {
        self.transient > 0.0
            || self.throttle > 0.0
            || self.job_failure > 0.0
            || self.lost_response > 0.0
    }
}

/// How many faults the lab injected, for tests and drill reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultCounts {
    /// Calls refused with a transient error.
    pub transient: u64,
    /// Calls throttled.
    pub throttled: u64,
    /// Mutations whose response was lost (the job started anyway).
    pub lost_responses: u64,
    /// Jobs that ended failed.
    pub job_failures: u64,
    /// Calls that reached the fault draw (every provider call).
    pub calls: u64,
}

/// What the draw for one call decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallFault {
    /// Nothing goes wrong.
    None,
    /// Refuse with a retryable transient error, the bool choosing a time-out.
    Transient { timeout: bool },
    /// Refuse with throttling.
    Throttle,
    /// Let a mutation take effect, then report it unavailable.
    LostResponse,
}

/// The splitmix64 output function of `x` advanced by one step: a well-mixed 64-bit value.
pub(crate) fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A key built from the seed and the parts naming one draw.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key(u64);

impl Key {
    /// A key for `seed`.
    pub(crate) fn new(seed: u64) -> Key {
        Key(splitmix(seed))
    }

    /// The key extended by a string (FNV-1a over its bytes, then mixed).
    pub(crate) fn str(self, s: &str) -> Key {
        let mut h = self.0 ^ 0xCBF2_9CE4_8422_2325;
        for b in s.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
        Key(splitmix(h))
    }

    /// The key extended by a number.
    pub(crate) fn num(self, n: u64) -> Key {
        Key(splitmix(self.0 ^ splitmix(n)))
    }

    /// The raw 64 bits.
    pub(crate) fn bits(self) -> u64 {
        self.0
    }

    /// A number in `0..1`.
    pub(crate) fn unit(self) -> f64 {
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(self, n: usize) -> usize {
        ((u128::from(self.0) * n as u128) >> 64) as usize
    }
}

impl Faults {
    /// Decide the fault of the `n`-th call of `kind` on `subject`. `mutation` allows a
    /// lost response. Throttling is drawn first, then transient errors, then lost
    /// responses, each from its own key.
    pub(crate) fn draw(
        &self,
        seed: u64,
        kind: &str,
        subject: &str,
        n: u64,
        mutation: bool,
    ) -> CallFault {
        if !self.any() {
            return CallFault::None;
        }
        let base = Key::new(seed).str(kind).str(subject).num(n);
        if base.num(1).unit() < self.throttle {
            return CallFault::Throttle;
        }
        if base.num(2).unit() < self.transient {
            return CallFault::Transient {
                timeout: base.num(4).bits() & 1 == 1,
            };
        }
        if mutation && base.num(3).unit() < self.lost_response {
            return CallFault::LostResponse;
        }
        CallFault::None
    }

    /// A call meets its fault (after its latency, which the caller sleeps on its clock):
    /// the call is counted; with any fault set, `number` gives the call's count per kind
    /// and subject (called only then), its fault is drawn with `seed` and applied
    /// ([`Faults::apply`]). The lab and the fault wrappers both enter calls through here,
    /// so the same seed and rates meet the same faults on the same calls.
    pub(crate) fn meet(
        &self,
        seed: u64,
        call: (&str, &str, bool),
        provider: &str,
        counts: &mut FaultCounts,
        number: impl FnOnce() -> u64,
    ) -> Result<bool, Error> {
        let (kind, subject, mutation) = call;
        counts.calls += 1;
        if !self.any() {
            return Ok(false);
        }
        let fault = self.draw(seed, kind, subject, number(), mutation);
        self.apply(fault, provider, counts)
    }

    /// What a drawn call fault does: throttling and transient errors are counted and
    /// returned; `Ok(true)` says a mutation's response is to be lost once it took effect
    /// (counted by the caller then, as only an accepted mutation loses a response).
    pub(crate) fn apply(
        &self,
        fault: CallFault,
        provider: &str,
        counts: &mut FaultCounts,
    ) -> Result<bool, Error> {
        match fault {
            CallFault::None => Ok(false),
            CallFault::Throttle => {
                counts.throttled += 1;
                Err(throttled(provider, self.retry_after))
            }
            CallFault::Transient { timeout } => {
                counts.transient += 1;
                Err(transient(provider, timeout))
            }
            CallFault::LostResponse => Ok(true),
        }
    }

    /// The failure cause of the job, if it fails: drawn per target, operation and attempt.
    pub(crate) fn job_failure(
        &self,
        seed: u64,
        target: &str,
        operation: &str,
        attempt: u64,
    ) -> Option<JobError> {
        if self.job_failure <= 0.0 {
            return None;
        }
        let key = Key::new(seed)
            .str("job-failure")
            .str(target)
            .str(operation)
            .num(attempt);
        if key.unit() >= self.job_failure {
            return None;
        }
        // An error code, a cause and a recommended action, as ASR's job errors carry.
        const CAUSES: [(&str, &str, &str); 5] = [
            (
                "LAB-95226",
                "the process server lost its connection to the master target",
                "check the network between the process server and the master target, then retry the operation",
            ),
            (
                "LAB-8061",
                "the master target could not attach a disk in time",
                "check that the datastore is reachable from the master target's host, then retry the operation",
            ),
            (
                "LAB-78052",
                "replication data upload to the storage account timed out",
                "check the bandwidth to Azure and the storage account, then retry the operation",
            ),
            (
                "LAB-78093",
                "the Azure VM agent stopped responding",
                "make sure the Azure VM runs and its agent is healthy, then retry the operation",
            ),
            (
                "LAB-8038",
                "the vCenter task for the VM reconfiguration failed",
                "check the vCenter task's error and the host's resources, then retry the operation",
            ),
        ];
        let (code, cause, action) = CAUSES[key.num(1).below(CAUSES.len())];
        Some(JobError {
            code: Some(code.to_string()),
            message: format!("{operation} failed (injected by the lab)"),
            possible_causes: vec![cause.to_string()],
            recommended_action: Some(action.to_string()),
        })
    }
}

/// The error of a throttled call.
pub(crate) fn throttled(provider: &str, retry_after: Duration) -> Error {
    Error::provider(
        provider,
        ErrorKind::RateLimited,
        format!(
            "too many requests (injected by the lab); retry after {} s",
            retry_after.as_secs_f64()
        ),
    )
    .with_retry_after(retry_after)
}

/// The error of a transient failure.
pub(crate) fn transient(provider: &str, timeout: bool) -> Error {
    if timeout {
        Error::provider(
            provider,
            ErrorKind::Timeout,
            "the request timed out (injected by the lab)",
        )
    } else {
        Error::provider(
            provider,
            ErrorKind::Unavailable,
            "service unavailable (injected by the lab)",
        )
    }
}

/// The error of a mutation whose response was lost after it took effect.
pub(crate) fn lost_response(provider: &str) -> Error {
    Error::provider(
        provider,
        ErrorKind::Unavailable,
        "the connection was reset before the response arrived (injected by the lab); \
         the operation may have started",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deterministic_and_spread() {
        let a = Key::new(7).str("x").num(3).bits();
        assert_eq!(a, Key::new(7).str("x").num(3).bits());
        assert_ne!(a, Key::new(8).str("x").num(3).bits());
        assert_ne!(a, Key::new(7).str("y").num(3).bits());
        let mean: f64 = (0..10_000).map(|n| Key::new(1).num(n).unit()).sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
    }

    #[test]
    fn no_fault_without_rates() {
        let f = Faults::none();
        for n in 0..1000 {
            assert_eq!(f.draw(1, "k", "s", n, true), CallFault::None);
        }
        assert_eq!(f.job_failure(1, "t", "op", 0), None);
    }
}
