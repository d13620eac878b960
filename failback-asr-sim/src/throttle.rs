//! ARM's write limit as a token bucket: each write (PUT, POST, PATCH, DELETE) takes a
//! token; tokens come back at a steady rate up to the bucket's size; a write finding the
//! bucket empty is answered 429 with the `Retry-After` of the next token. Real time, as
//! ARM counts (the lab's scaled clock does not change it).

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A write limit: `burst` writes at once, then `per_second` a second. ARM's documented
/// limit per subscription and region (the token-bucket algorithm) is a bucket of 200
/// writes refilled at 10 a second ([`WriteLimit::ARM`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WriteLimit {
    /// The bucket's size.
    pub burst: u32,
    /// Tokens back per second.
    pub per_second: f64,
}

impl WriteLimit {
    /// ARM's subscription writes: 200, then 10 a second.
    pub const ARM: WriteLimit = WriteLimit {
        burst: 200,
        per_second: 10.0,
    };
}

/// The bucket of a [`WriteLimit`], and how many writes it refused.
#[derive(Debug)]
pub(crate) struct Bucket {
    limit: WriteLimit,
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    pub(crate) fn new(limit: WriteLimit) -> Bucket {
        Bucket {
            limit,
            state: Mutex::new((f64::from(limit.burst), Instant::now())),
        }
    }

    /// Take a token now: `Ok` when there was one, else how long until the next.
    pub(crate) fn take(&self) -> Result<(), Duration> {
        let Ok(mut s) = self.state.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        let rate = self.limit.per_second.max(f64::MIN_POSITIVE);
        let refill = now.duration_since(s.1).as_secs_f64() * rate;
        s.0 = (s.0 + refill).min(f64::from(self.limit.burst));
        s.1 = now;
        if s.0 >= 1.0 {
            s.0 -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - s.0) / rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_gives_its_burst_then_says_when_the_next_token_comes() {
        let b = Bucket::new(WriteLimit {
            burst: 3,
            per_second: 2.0,
        });
        for _ in 0..3 {
            assert_eq!(b.take(), Ok(()));
        }
        let wait = b.take().unwrap_err();
        assert!(
            wait > Duration::from_millis(400) && wait <= Duration::from_millis(500),
            "{wait:?}"
        );
    }
}
