//! Time, behind a trait: the orchestrator sleeps and stamps through a [`Clock`], so the
//! lab site can run a drill of hundreds of VMs in seconds of wall time.
//!
//! - [`SystemClock`]: wall-clock time, for real runs.
//! - [`VirtualClock`]: discrete-event time. It advances only when every task of the
//!   runtime waits, straight to the next timer, so a drill's figures depend on the model
//!   and never on the machine: the same estate, request and seed give the same report,
//!   as fast as the CPU allows. It needs a runtime whose clock is paused
//!   ([`virtual_runtime`]).
//! - [`ScaledClock`]: simulated time running a fixed factor faster than the wall clock,
//!   for what talks over sockets to a simulator whose own clock runs in real time.
//!
//! ```
//! use std::time::Duration;
//! use failback_core::clock::{virtual_runtime, Clock, VirtualClock};
//!
//! let rt = virtual_runtime().unwrap();
//! rt.block_on(async {
//!     let start = chrono::DateTime::from_timestamp(1_795_168_800, 0).unwrap();
//!     let clock = VirtualClock::new(start);
//!     let wall = std::time::Instant::now();
//!     clock.sleep(Duration::from_secs(6 * 3600)).await;
//!     assert_eq!(clock.now() - start, chrono::Duration::hours(6));
//!     assert!(wall.elapsed() < Duration::from_secs(5), "six simulated hours, no wall time");
//! });
//! ```

use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A source of time.
#[async_trait]
pub trait Clock: Send + Sync + Debug + 'static {
    /// The time now.
    fn now(&self) -> DateTime<Utc>;
    /// Sleep for `d` of this clock's time.
    async fn sleep(&self, d: Duration);
}

/// Wall-clock time (tokio's timer).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

#[async_trait]
impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }
}

/// Simulated time running `scale` times faster than the wall clock from `start`: one
/// simulated hour at scale 3,600 passes in one second.
#[derive(Debug, Clone)]
pub struct ScaledClock {
    start: DateTime<Utc>,
    origin: std::time::Instant,
    scale: f64,
}

impl ScaledClock {
    /// A clock at `start`, `scale` times faster than real time (at least 1).
    pub fn new(start: DateTime<Utc>, scale: f64) -> Self {
        ScaledClock {
            start,
            origin: std::time::Instant::now(),
            scale: if scale.is_finite() && scale >= 1.0 {
                scale
            } else {
                1.0
            },
        }
    }

    /// The scale.
    pub fn scale(&self) -> f64 {
        self.scale
    }
}

#[async_trait]
impl Clock for ScaledClock {
    fn now(&self) -> DateTime<Utc> {
        let real = self.origin.elapsed().as_secs_f64() * self.scale;
        let simulated = chrono::Duration::microseconds((real * 1e6) as i64);
        self.start + simulated
    }
    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d.div_f64(self.scale)).await;
    }
}

/// Discrete-event time: `now` is the start plus the time the runtime's paused clock has
/// advanced since the clock was made, and `sleep` is a timer on that paused clock.
/// tokio's paused clock jumps to the next timer exactly when no task can run, so time
/// passes only while every task waits: a run's simulated figures do not depend on how
/// fast the machine computes, fsyncs or schedules.
///
/// Make it (and run everything that uses it) inside a runtime from [`virtual_runtime`]:
/// in a runtime whose clock is not paused it would follow wall time like a
/// [`ScaledClock`] of scale 1.
#[derive(Debug, Clone)]
pub struct VirtualClock {
    start: DateTime<Utc>,
    origin: tokio::time::Instant,
}

impl VirtualClock {
    /// A clock reading `start` now.
    pub fn new(start: DateTime<Utc>) -> Self {
        VirtualClock {
            start,
            origin: tokio::time::Instant::now(),
        }
    }
}

#[async_trait]
impl Clock for VirtualClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = tokio::time::Instant::now().saturating_duration_since(self.origin);
        self.start + chrono::Duration::from_std(elapsed).unwrap_or(chrono::TimeDelta::MAX)
    }
    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }
}

/// A runtime for [`VirtualClock`]: one thread (so tasks run in a fixed order) and a
/// paused clock that advances to the next timer whenever every task waits. File I/O done
/// with `std::fs` inside it (the journal, the lab file) takes no simulated time.
pub fn virtual_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
}
