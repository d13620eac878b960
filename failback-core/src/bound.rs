//! The lower bound of a run's makespan: no schedule of the plan can finish sooner, whatever
//! the orchestrator does, given the stage durations, the master targets' disk slots, the
//! links' bandwidth, the boot order and the cutover windows. A drill's makespan is measured
//! against it.
//!
//! The bound is the largest of:
//! - **the chain of each application**: its slowest reprotect alone on its link (setup and
//!   bytes at the link's full bandwidth), then the opening of a window the cutover fits in
//!   (when the request gives windows), its boot groups' failovers one after the other, its
//!   commit, its agents' re-registration and its reprotect to Azure;
//! - **each link**: every byte through it at its full bandwidth after the shortest setup,
//!   then the shortest tail (failover, commit, re-registration, reprotect to Azure) of an
//!   item on it;
//! - **each master target's disk slots**: the disk-seconds its units hold (from reprotect
//!   to failover, each at its shortest) over the slots it has (60 less what is attached),
//!   then the shortest tail;
//! - **the write rate**: every mutation at the allowed rate.
//!
//! Policies the request chose are not in it (the wave gate: a cutover waits for its whole
//! wave; verification time): what they cost shows as the distance to the bound.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::plan::Plan;
use crate::readiness::MAX_DISKS_PER_MASTER_TARGET;
use crate::request::Stage;
use crate::schedule::ApplicationPlan;
use crate::timing::{ItemTimes, TimingModel};

/// The lower bound and what sets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LowerBound {
    /// Seconds from the run's start.
    pub seconds: u64,
    /// The constraint that sets it (`application X`, `link Y`, `master target Z`,
    /// `write rate`).
    pub binding: String,
}

/// The lower bound of running `plan` on a site whose items take `times` (items missing
/// from it take the model's shortest), with the plan's `attached_disks` already on each
/// master target
/// and at most `writes_per_minute` mutations a minute (0: no limit), from the run's start.
pub fn lower_bound(
    plan: &Plan,
    times: &HashMap<String, ItemTimes>,
    model: &TimingModel,
    writes_per_minute: u32,
) -> LowerBound {
    let info = item_info(plan, times, model);
    let has = |it: &crate::readiness::ItemReport, s: Stage| it.stages.iter().any(|p| p.stage == s);
    let reprotect = |t: &ItemTimes| t.reprotect_setup + model.transfer(t.bytes, t.link_mbps);
    let tail = |t: &ItemTimes, it: &crate::readiness::ItemReport| {
        let mut d = Duration::ZERO;
        if has(it, Stage::Failover) {
            d += t.failover;
        }
        if has(it, Stage::Commit) {
            d += t.commit;
        }
        if has(it, Stage::ReprotectToAzure) {
            d += t.agent_reregistration + t.reprotect_to_azure;
        }
        d
    };
    let mut best = LowerBound {
        seconds: 0,
        binding: "nothing to do".into(),
    };
    let mut consider = |d: Duration, what: String| {
        let s = d.as_secs();
        if s > best.seconds {
            best = LowerBound {
                seconds: s,
                binding: what,
            };
        }
    };
    let start = plan.captured_at;

    // Chains of applications.
    for app in &plan.applications {
        let mut at = Duration::ZERO;
        for item in app.items() {
            if let Some((t, it, _)) = info.get(item) {
                if has(it, Stage::Reprotect) {
                    at = at.max(reprotect(t));
                }
            }
        }
        let fails_over = app.items().any(|i| {
            info.get(i)
                .is_some_and(|(_, it, _)| has(it, Stage::Failover))
        });
        let via_plan = app.recovery_plan.is_some();
        if fails_over {
            let windows = &plan.request.cutover.windows;
            if !windows.is_empty() {
                let need = chrono::Duration::seconds(
                    i64::try_from(app.cutover_estimate_seconds).unwrap_or(i64::MAX),
                );
                let ready =
                    start + chrono::Duration::from_std(at).unwrap_or(chrono::TimeDelta::MAX);
                let open = windows
                    .iter()
                    .filter(|w| w.end() - need >= ready)
                    .map(|w| w.start.max(ready))
                    .min();
                if let Some(open) = open {
                    at = (open - start).to_std().unwrap_or(at).max(at);
                }
            }
            at += failover_chain(app, &info, model);
        }
        let max_of = |f: &dyn Fn(&ItemTimes, &crate::readiness::ItemReport) -> Duration| {
            app.items()
                .filter_map(|i| info.get(i))
                .map(|(t, it, _)| f(t, it))
                .max()
                .unwrap_or(Duration::ZERO)
        };
        at += max_of(&|t, it| {
            if !has(it, Stage::Commit) {
                Duration::ZERO
            } else if via_plan {
                model.commit.min
            } else {
                t.commit
            }
        });
        at += max_of(&|t, it| {
            if has(it, Stage::ReprotectToAzure) {
                t.agent_reregistration + t.reprotect_to_azure
            } else {
                Duration::ZERO
            }
        });
        consider(at, format!("application {}", app.name));
    }

    // Links and master targets.
    let mut links: BTreeMap<String, (u64, u64, Duration, Duration)> = BTreeMap::new();
    let mut slots: BTreeMap<String, (f64, Duration)> = BTreeMap::new();
    for (t, it, u) in info.values() {
        if !has(it, Stage::Reprotect) {
            continue;
        }
        let e =
            links
                .entry(t.link.clone())
                .or_insert((0, t.link_mbps, Duration::MAX, Duration::MAX));
        e.0 += t.bytes;
        e.2 = e.2.min(t.reprotect_setup);
        e.3 = e.3.min(tail(t, it));
        if let Some(mt) = &plan.units[*u].master_target {
            let hold = reprotect(t)
                + if has(it, Stage::Failover) {
                    t.failover
                } else {
                    Duration::ZERO
                };
            let s = slots.entry(mt.clone()).or_insert((0.0, Duration::MAX));
            s.0 += f64::from(it.disks.max(1)) * hold.as_secs_f64();
            let after = tail(t, it).saturating_sub(if has(it, Stage::Failover) {
                t.failover
            } else {
                Duration::ZERO
            });
            s.1 = s.1.min(after);
        }
    }
    for (link, (bytes, mbps, setup, tail)) in links {
        consider(
            setup + model.transfer(bytes, mbps) + tail,
            format!("link {link}"),
        );
    }
    for (mt, (disk_seconds, tail)) in slots {
        let cap = i64::from(MAX_DISKS_PER_MASTER_TARGET)
            - i64::from(plan.attached_disks.get(&mt).copied().unwrap_or(0));
        if cap <= 0 {
            continue;
        }
        let d = Duration::from_secs_f64(disk_seconds / cap as f64) + tail;
        consider(d, format!("master target {mt}"));
    }

    // The write rate.
    if writes_per_minute > 0 {
        let writes: usize = plan
            .units
            .iter()
            .flat_map(|u| u.items.iter())
            .map(|it| it.stages.iter().filter(|p| !p.attach).count())
            .sum();
        let burst = writes_per_minute.div_ceil(3) as usize;
        let over = writes.saturating_sub(burst) as f64;
        consider(
            Duration::from_secs_f64(over * 60.0 / f64::from(writes_per_minute)),
            "write rate".into(),
        );
    }
    best
}

/// What the bound knows of each item of the plan: its times, its report, its unit.
type Info<'p> = HashMap<&'p str, (ItemTimes, &'p crate::readiness::ItemReport, usize)>;

/// The plan's items with their times (items missing from `times` take the model's
/// shortest).
fn item_info<'p>(
    plan: &'p Plan,
    times: &HashMap<String, ItemTimes>,
    model: &TimingModel,
) -> Info<'p> {
    let default_times = |item: &str, disks: u32| ItemTimes {
        reprotect_setup: model.reprotect_setup.min,
        bytes: 0,
        link: format!("link of {item}"),
        link_mbps: model.bandwidth_mbps,
        failover: model.failover(disks).min,
        commit: model.commit.min,
        agent_reregistration: model.agent_reregistration.min,
        reprotect_to_azure: model.reprotect_to_azure.min,
    };
    let mut info: Info<'p> = HashMap::new();
    for (u, unit) in plan.units.iter().enumerate() {
        for it in &unit.items {
            let t = times
                .get(&it.item)
                .cloned()
                .unwrap_or_else(|| default_times(&it.item, it.disks));
            info.insert(it.item.as_str(), (t, it, u));
        }
    }
    info
}

/// An application's boot groups failing over one after the other, each taking its slowest
/// item's failover (the model's shortest for a recovery plan, whose job the provider runs).
fn failover_chain(app: &ApplicationPlan, info: &Info<'_>, model: &TimingModel) -> Duration {
    let via_plan = app.recovery_plan.is_some();
    app.boot_groups
        .iter()
        .map(|g| {
            g.items
                .iter()
                .filter_map(|i| info.get(i.as_str()))
                .filter(|(_, it, _)| it.stages.iter().any(|p| p.stage == Stage::Failover))
                .map(|(t, it, _)| {
                    if via_plan {
                        model.failover(it.disks).min
                    } else {
                        t.failover
                    }
                })
                .max()
                .unwrap_or(Duration::ZERO)
        })
        .sum()
}

/// The shortest each cutover wave's cutover can take, as `(wave, seconds)` in wave order:
/// its longest application's boot groups failing over one after the other, or its
/// failovers at the write rate (0: no limit), whichever is longer. A drill's cutover span
/// (first failover start to last failover end) is measured against it.
pub fn cutover_lower_bounds(
    plan: &Plan,
    times: &HashMap<String, ItemTimes>,
    model: &TimingModel,
    writes_per_minute: u32,
) -> Vec<(u32, u64)> {
    let info = item_info(plan, times, model);
    let mut waves: BTreeMap<u32, (Duration, usize)> = BTreeMap::new();
    for app in &plan.applications {
        let chain = failover_chain(app, &info, model);
        let failovers = app
            .items()
            .filter_map(|i| info.get(i))
            .filter(|(_, it, _)| it.stages.iter().any(|p| p.stage == Stage::Failover))
            .count();
        if failovers == 0 {
            continue;
        }
        let w = waves.entry(app.wave).or_insert((Duration::ZERO, 0));
        w.0 = w.0.max(chain);
        w.1 += if app.recovery_plan.is_some() {
            1
        } else {
            failovers
        };
    }
    waves
        .into_iter()
        .map(|(wave, (chain, writes))| {
            let burst = writes_per_minute.div_ceil(3) as usize;
            let rate = if writes_per_minute == 0 {
                Duration::ZERO
            } else {
                Duration::from_secs_f64(
                    writes.saturating_sub(burst) as f64 * 60.0 / f64::from(writes_per_minute),
                )
            };
            (wave, chain.max(rate).as_secs())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{plan, Estate, PlanOutcome, Request};

    fn healthy_plan() -> Plan {
        let estate =
            Estate::from_json_str(include_str!("../../examples/estates/healthy.json")).unwrap();
        match plan(&estate, &Request::default()).unwrap() {
            PlanOutcome::Ready(p) => p,
            PlanOutcome::Refused(r) => panic!("{} blocked", r.blocked_count()),
        }
    }

    fn times(plan: &Plan, bytes: u64, link: &str) -> HashMap<String, ItemTimes> {
        plan.units
            .iter()
            .flat_map(|u| u.items.iter())
            .map(|it| {
                (
                    it.item.clone(),
                    ItemTimes {
                        reprotect_setup: Duration::from_secs(600),
                        bytes,
                        link: link.into(),
                        link_mbps: 1000,
                        failover: Duration::from_secs(300),
                        commit: Duration::from_secs(120),
                        agent_reregistration: Duration::from_secs(600),
                        reprotect_to_azure: Duration::from_secs(1200),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn a_lone_item_chain_is_its_stages_end_to_end() {
        let p = healthy_plan();
        let m = TimingModel::default();
        // 450 GB at 1 Gbit/s: an hour of transfer each, on links of their own.
        let mut t = times(&p, 450_000_000_000, "");
        for (k, v) in t.values_mut().enumerate() {
            v.link = format!("link-{k}");
        }
        let lb = lower_bound(&p, &t, &m, 0);
        // setup 600 + transfer 3600, failover 300, commit 120, agent 600, to Azure 1200;
        // a recovery plan's failover and commit take the model's shortest instead.
        let lone = 600 + 3600 + 300 + 120 + 600 + 1200;
        assert!(lb.seconds >= lone, "{lb:?}");
        assert!(lb.binding.starts_with("application"), "{lb:?}");
    }

    #[test]
    fn a_cutover_bound_is_its_longest_boot_order_or_its_writes() {
        let estate =
            Estate::from_json_str(include_str!("../../examples/estates/healthy.json")).unwrap();
        let req: Request = serde_json::from_value(serde_json::json!({
            "format": "failback-request/1",
            "applications": [{"name": "shop", "groups": [["web-01"], ["app-01"]]}]
        }))
        .unwrap();
        let p = match plan(&estate, &req).unwrap() {
            PlanOutcome::Ready(p) => p,
            PlanOutcome::Refused(r) => panic!("{} blocked", r.blocked_count()),
        };
        let m = TimingModel::default();
        let t = times(&p, 0, "l");
        let bounds = cutover_lower_bounds(&p, &t, &m, 0);
        let wave = p
            .applications
            .iter()
            .find(|a| a.name == "shop")
            .unwrap()
            .wave;
        // Two boot groups of one 300-second failover each, one after the other.
        let shop = bounds.iter().find(|(w, _)| *w == wave).unwrap().1;
        assert_eq!(shop, 600, "{bounds:?}");
        // One write a minute: the failovers of the wave at that rate, after the burst.
        let slow = cutover_lower_bounds(&p, &t, &m, 1);
        let n = p
            .applications
            .iter()
            .filter(|a| a.wave == wave)
            .map(|a| {
                if a.recovery_plan.is_some() {
                    1
                } else {
                    a.items().count()
                }
            })
            .sum::<usize>() as u64;
        let want = (n.saturating_sub(1) * 60).max(600);
        assert_eq!(slow.iter().find(|(w, _)| *w == wave).unwrap().1, want);
    }

    #[test]
    fn a_shared_link_binds_when_its_bytes_dominate() {
        let p = healthy_plan();
        let m = TimingModel::default();
        let t = times(&p, 450_000_000_000, "ps-shared");
        let items = t.len() as u64;
        let lb = lower_bound(&p, &t, &m, 0);
        assert_eq!(lb.binding, "link ps-shared");
        assert_eq!(lb.seconds, 600 + 3600 * items + 300 + 120 + 600 + 1200);
    }

    #[test]
    fn full_master_targets_bind_through_their_disk_seconds() {
        let p = healthy_plan();
        let m = TimingModel::default();
        let mut t = times(&p, 0, "");
        for (k, v) in t.values_mut().enumerate() {
            v.link = format!("link-{k}");
        }
        let free = lower_bound(&p, &t, &m, 0);
        // Almost every slot already taken: each MT's units queue for its last slot or two.
        let mut p = p;
        let mts: Vec<String> = p
            .units
            .iter()
            .filter_map(|u| u.master_target.clone())
            .collect();
        for mt in mts {
            p.attached_disks.insert(mt, 59);
        }
        let full = lower_bound(&p, &t, &m, 0);
        assert!(full.seconds > free.seconds, "{free:?} {full:?}");
        assert!(full.binding.starts_with("master target"), "{full:?}");
    }
}
