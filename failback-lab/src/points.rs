//! Recovery points of the failback replication: a point when reprotect completes, then
//! crash-consistent points every 5 minutes and application-consistent ones every 60 (the
//! failback policy), kept 24 hours. Points fall on a grid aligned to the clock, so items
//! replicating at the same time share point times (multi-VM sync points for a group).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, DurationRound, Utc};

use failback_core::estate::{Consistency, RecoveryPoint};
use failback_core::provider::PointSpec;

/// Minutes between two points.
pub(crate) const INTERVAL_MINUTES: i64 = 5;
/// Minutes between two application-consistent points.
pub(crate) const APP_CONSISTENT_MINUTES: i64 = 60;
/// How long points are kept.
pub(crate) const RETENTION_HOURS: i64 = 24;

/// The id of a lab-made point at `time`: the same for every item, unique within one.
pub(crate) fn point_id(time: DateTime<Utc>) -> String {
    format!("rp-{}", time.format("%Y%m%dT%H%M%SZ"))
}

/// The application-consistent point taken when reprotect completes at `at`.
pub(crate) fn initial(at: DateTime<Utc>, sync: bool) -> RecoveryPoint {
    let time = at.duration_trunc(Duration::seconds(1)).unwrap_or(at);
    RecoveryPoint {
        id: point_id(time),
        time,
        consistency: Consistency::ApplicationConsistent,
        multi_vm_sync: sync,
    }
}

/// The points of an item at `now`: `base` (points already taken) and, while it
/// replicates (`since` is set), the grid points after `since` up to `now`; older than the
/// retention are dropped. Sorted by time.
pub(crate) fn points(
    base: &[RecoveryPoint],
    since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    sync: bool,
) -> Vec<RecoveryPoint> {
    let oldest = now - Duration::hours(RETENTION_HOURS);
    let mut out: Vec<RecoveryPoint> = base.iter().filter(|p| p.time >= oldest).cloned().collect();
    let taken: std::collections::HashSet<DateTime<Utc>> = out.iter().map(|p| p.time).collect();
    if let Some(since) = since {
        let step = Duration::minutes(INTERVAL_MINUTES);
        let from = since.max(oldest);
        // The first grid time strictly after `from`.
        let mut t = from.duration_trunc(step).unwrap_or(from) + step;
        while t <= now {
            if !taken.contains(&t) {
                let app = t.timestamp() % (APP_CONSISTENT_MINUTES * 60) == 0;
                out.push(RecoveryPoint {
                    id: point_id(t),
                    time: t,
                    consistency: if app {
                        Consistency::ApplicationConsistent
                    } else {
                        Consistency::CrashConsistent
                    },
                    multi_vm_sync: sync,
                });
            }
            t += step;
        }
    }
    out.sort_by_key(|p| p.time);
    out
}

/// Choose one common point for every list (one list per member): the latest time all
/// share, the latest time at which every member's point is application-consistent, or
/// the time of the named point (found in any member). The error says what is missing.
pub(crate) fn choose(
    spec: &PointSpec,
    lists: &[Vec<RecoveryPoint>],
) -> Result<Vec<RecoveryPoint>, String> {
    if lists.iter().any(|l| l.is_empty()) {
        return Err("no recovery point yet (EXT-007)".to_string());
    }
    // time -> (members having a point then, all of them application-consistent)
    let mut times: BTreeMap<DateTime<Utc>, (usize, bool)> = BTreeMap::new();
    for list in lists {
        for p in list {
            let e = times.entry(p.time).or_insert((0, true));
            e.0 += 1;
            e.1 &= p.consistency == Consistency::ApplicationConsistent;
        }
    }
    let common = |app: bool| {
        times
            .iter()
            .rev()
            .find(|(_, (n, a))| *n == lists.len() && (!app || *a))
            .map(|(t, _)| *t)
    };
    let time = match spec {
        PointSpec::Latest => common(false).ok_or("no recovery point common to every member")?,
        PointSpec::LatestApplicationConsistent => {
            common(true).ok_or("no application-consistent recovery point common to every member")?
        }
        PointSpec::Id(id) => {
            let t = lists
                .iter()
                .flatten()
                .find(|p| &p.id == id)
                .map(|p| p.time)
                .ok_or_else(|| format!("no recovery point {id}"))?;
            match times.get(&t) {
                Some((n, _)) if *n == lists.len() => t,
                _ => return Err(format!("recovery point {id} is not common to every member")),
            }
        }
    };
    Ok(lists
        .iter()
        .filter_map(|l| l.iter().find(|p| p.time == time).cloned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn grid_points_every_five_minutes_app_consistent_on_the_hour() {
        let since = at("2026-11-20T09:31:10Z");
        let p = points(
            &[initial(since, false)],
            Some(since),
            at("2026-11-20T10:12:00Z"),
            false,
        );
        let times: Vec<String> = p
            .iter()
            .map(|p| p.time.format("%H:%M").to_string())
            .collect();
        assert_eq!(times[0], "09:31");
        assert_eq!(times[1], "09:35");
        assert_eq!(times.last().map(String::as_str), Some("10:10"));
        let app: Vec<_> = p
            .iter()
            .filter(|p| p.consistency == Consistency::ApplicationConsistent)
            .map(|p| p.time.format("%H:%M").to_string())
            .collect();
        assert_eq!(app, ["09:31", "10:00"]);
    }

    #[test]
    fn retention_drops_old_points() {
        let since = at("2026-11-20T00:00:00Z");
        let p = points(
            &[initial(since, false)],
            Some(since),
            at("2026-11-22T00:00:00Z"),
            false,
        );
        // The first point (at reprotect) is gone; a day of 5-minute points remains.
        assert_eq!(p.len(), 24 * 12);
        assert_eq!(p[0].time, at("2026-11-21T00:05:00Z"));
    }

    #[test]
    fn common_point_of_members() {
        let a = points(
            &[],
            Some(at("2026-11-20T09:00:00Z")),
            at("2026-11-20T10:07:00Z"),
            true,
        );
        let b = points(
            &[],
            Some(at("2026-11-20T09:40:00Z")),
            at("2026-11-20T10:02:00Z"),
            true,
        );
        let got = choose(&PointSpec::Latest, &[a.clone(), b.clone()]).unwrap();
        assert!(got.iter().all(|p| p.time == at("2026-11-20T10:00:00Z")));
        let got = choose(
            &PointSpec::LatestApplicationConsistent,
            &[a.clone(), b.clone()],
        )
        .unwrap();
        assert_eq!(got[1].time, at("2026-11-20T10:00:00Z"));
        let got = choose(
            &PointSpec::Id("rp-20261120T095000Z".into()),
            &[a.clone(), b],
        )
        .unwrap();
        assert_eq!(got.len(), 2);
        assert!(choose(
            &PointSpec::Id("rp-20261120T091000Z".into()),
            &[a.clone(), vec![]]
        )
        .is_err());
        assert!(choose(&PointSpec::Latest, &[a, vec![]]).is_err());
    }
}
