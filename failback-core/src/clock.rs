//! Time, behind a trait: the orchestrator sleeps and stamps through a [`Clock`], so the
//! lab site can run a drill of hundreds of VMs in seconds of wall time.

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
