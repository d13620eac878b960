//! The links reprotects send their bytes over (an Azure process server's, or the
//! modernized appliance's), shared by processor sharing: the transfers active on a link at
//! once get its bandwidth in equal parts, so a transfer's end moves whenever another one
//! starts or ends on the same link.
//!
//! A link keeps the service every active transfer received so far (its virtual time, in
//! bits): while `n` transfers are active on a link of `M` megabits per second, it grows by
//! `M / n` bits per microsecond. A transfer of `b` bits starting when the service is `s`
//! ends when the service reaches `s + b`, its finish tag; transfers end in tag order. All
//! arithmetic is on integers (bits, microseconds), and a link changes only at its own
//! events (a transfer starts, ends or is cancelled), so the same events give the same
//! times to the microsecond, whoever asks and however often.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One transfer on a link: the job and the member of the job it carries.
pub(crate) type TransferId = (usize, usize);

/// A link and the transfers active on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Link {
    /// Bandwidth in megabits per second: bits per microsecond.
    pub mbps: u64,
    /// Service received by each active transfer since the link was made, in bits, as of
    /// `at`.
    served: u64,
    /// When `served` was last brought up to date.
    at: DateTime<Utc>,
    /// The active transfers by finish tag (the service at which each ends).
    active: BTreeSet<(u64, usize, usize)>,
}

fn micros(d: chrono::Duration) -> u128 {
    u128::try_from(d.num_microseconds().unwrap_or(i64::MAX).max(0)).unwrap_or(0)
}

fn after(t: DateTime<Utc>, us: u128) -> DateTime<Utc> {
    let us = i64::try_from(us).unwrap_or(i64::MAX);
    t.checked_add_signed(chrono::Duration::microseconds(us))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Microseconds for `bits` at `mbps / n` megabits per second, rounded up.
fn time_for(bits: u64, n: usize, mbps: u64) -> u128 {
    let work = u128::from(bits) * n as u128;
    let rate = u128::from(mbps.max(1));
    work.div_ceil(rate)
}

/// The time `bytes` take alone on a link of `mbps`, to the microsecond as the lab counts.
pub(crate) fn alone(bytes: u64, mbps: u64) -> std::time::Duration {
    let us = time_for(bytes.saturating_mul(8), 1, mbps);
    std::time::Duration::from_micros(u64::try_from(us).unwrap_or(u64::MAX))
}

impl Link {
    /// An idle link of `mbps` at `at`.
    pub(crate) fn new(mbps: u64, at: DateTime<Utc>) -> Link {
        Link {
            mbps: mbps.max(1),
            served: 0,
            at,
            active: BTreeSet::new(),
        }
    }

    /// The service at `t` with the active transfers as they are (no change).
    fn served_at(&self, t: DateTime<Utc>) -> u64 {
        let n = self.active.len();
        if n == 0 || t <= self.at {
            return self.served;
        }
        let gained = u128::from(self.mbps) * micros(t - self.at) / n as u128;
        self.served
            .saturating_add(u64::try_from(gained).unwrap_or(u64::MAX))
    }

    /// Bring the service up to `t` (an event of this link).
    fn advance(&mut self, t: DateTime<Utc>) {
        self.served = self.served_at(t);
        self.at = self.at.max(t);
    }

    /// Start a transfer of `bits` at `t`.
    pub(crate) fn add(&mut self, t: DateTime<Utc>, bits: u64, id: TransferId) {
        self.advance(t);
        self.active
            .insert((self.served.saturating_add(bits), id.0, id.1));
    }

    /// Stop a transfer at `t` (its job was cancelled); whether it was active.
    pub(crate) fn remove(&mut self, t: DateTime<Utc>, id: TransferId) -> bool {
        self.advance(t);
        let found = self.active.iter().find(|(_, j, m)| (*j, *m) == id).copied();
        match found {
            Some(e) => self.active.remove(&e),
            None => false,
        }
    }

    /// When the next active transfer ends, if the transfers stay as they are.
    pub(crate) fn next_done(&self) -> Option<DateTime<Utc>> {
        let &(tag, _, _) = self.active.first()?;
        let need = tag.saturating_sub(self.served);
        Some(after(self.at, time_for(need, self.active.len(), self.mbps)))
    }

    /// Bring the link to `t` and take the transfers that have ended by then, in tag order.
    pub(crate) fn take_done(&mut self, t: DateTime<Utc>) -> Vec<TransferId> {
        self.advance(t);
        let mut done = Vec::new();
        while let Some(&(tag, j, m)) = self.active.first() {
            if tag > self.served {
                break;
            }
            self.active.pop_first();
            done.push((j, m));
        }
        done
    }

    /// When transfer `id` would end if no other transfer started on the link.
    pub(crate) fn projected_end(
        &self,
        now: DateTime<Utc>,
        id: TransferId,
    ) -> Option<DateTime<Utc>> {
        let mut level = self.served_at(now);
        let mut t = now.max(self.at);
        let mut n = self.active.len();
        for &(tag, j, m) in &self.active {
            let need = tag.saturating_sub(level);
            t = after(t, time_for(need, n, self.mbps));
            level = level.max(tag);
            if (j, m) == id {
                return Some(t);
            }
            n -= 1;
        }
        None
    }

    /// How many transfers are active.
    pub(crate) fn load(&self) -> usize {
        self.active.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    const GB: u64 = 1_000_000_000;

    #[test]
    fn equal_transfers_together_end_together_at_twice_the_lone_time() {
        let t0 = at("2026-11-20T10:00:00Z");
        // 450 GB over 1 Gbit/s: an hour alone.
        let bits = 450 * GB * 8;
        let mut shared = Link::new(1000, t0);
        shared.add(t0, bits, (0, 0));
        shared.add(t0, bits, (1, 0));
        let mut other = Link::new(1000, t0);
        other.add(t0, bits, (2, 0));
        assert_eq!(other.next_done(), Some(at("2026-11-20T11:00:00Z")));
        let end = shared.next_done().unwrap();
        assert_eq!(end, at("2026-11-20T12:00:00Z"));
        assert_eq!(shared.projected_end(t0, (1, 0)), Some(end));
        assert_eq!(shared.take_done(end), vec![(0, 0), (1, 0)]);
        assert_eq!(shared.load(), 0);
        // The other link is what it was.
        assert_eq!(other.take_done(at("2026-11-20T11:00:00Z")), vec![(2, 0)]);
    }

    #[test]
    fn a_transfer_joining_midway_slows_the_first_and_a_removal_speeds_it_up() {
        let t0 = at("2026-11-20T10:00:00Z");
        let bits = 450 * GB * 8;
        let mut l = Link::new(1000, t0);
        l.add(t0, bits, (0, 0));
        // Half an hour alone (half done), then shared: the other half takes an hour.
        let half = at("2026-11-20T10:30:00Z");
        l.add(half, bits, (1, 0));
        assert_eq!(l.next_done(), Some(at("2026-11-20T11:30:00Z")));
        assert_eq!(
            l.projected_end(half, (1, 0)),
            Some(at("2026-11-20T12:00:00Z"))
        );
        // The second is cancelled a quarter of an hour later: the first speeds up again.
        assert!(l.remove(at("2026-11-20T10:45:00Z"), (1, 0)));
        assert!(!l.remove(at("2026-11-20T10:45:00Z"), (1, 0)));
        assert_eq!(l.next_done(), Some(at("2026-11-20T11:07:30Z")));
        assert_eq!(alone(450 * GB, 1000), std::time::Duration::from_secs(3600));
    }
}
