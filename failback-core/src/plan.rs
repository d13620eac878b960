//! The failback plan: per item the inputs, the location, the stages in order and the data
//! loss of the chosen point. A plan exists only when no blocker holds; otherwise the
//! readiness report comes back instead.
//!
//! ```
//! use failback_core::{plan, Estate, PlanOutcome, Request};
//!
//! let estate = Estate::from_json_str(include_str!("../../examples/estates/healthy.json")).unwrap();
//! match plan(&estate, &Request::default()).unwrap() {
//!     PlanOutcome::Ready(p) => assert!(p.summary.items > 0),
//!     PlanOutcome::Refused(report) => panic!("{} blocked", report.blocked_count()),
//! }
//! ```

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::estate::{Estate, Flavor};
use crate::location::{Location, Transfer};
use crate::readiness::{assess, Assessment, UnitReport};
use crate::request::Request;
use crate::rules::Finding;
use crate::schedule::{ApplicationPlan, PhasePlan, ScheduleFinding};

/// The `format` value of a plan document.
pub const FORMAT: &str = "failback-plan/1";

/// The failback policy values a plan runs under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PolicyValues {
    /// The forward policy the failback policy derives from.
    pub derived_from: String,
    /// RPO threshold in minutes.
    pub rpo_threshold_minutes: u32,
    /// Recovery point retention in minutes.
    pub retention_minutes: u32,
    /// Application-consistent frequency in minutes.
    pub app_consistent_frequency_minutes: u32,
}

/// Totals of a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Items in the plan.
    pub items: usize,
    /// Units (items and groups moving as one).
    pub units: usize,
    /// Replication groups.
    pub groups: usize,
    /// Waves (EXT-004: 60 disks per master target at once).
    pub waves: u32,
    /// Items going back to their original VM.
    pub original: usize,
    /// Items going to a new VM.
    pub alternate: usize,
    /// Items sending a full copy.
    pub full_copies: usize,
    /// Estimated bytes to transfer.
    pub estimated_bytes: u64,
    /// The largest data loss of any item, in seconds.
    pub max_data_loss_seconds: u64,
}

/// A failback plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// Document format: `failback-plan/1`.
    pub format: String,
    /// The estate's name.
    pub estate: Option<String>,
    /// When the estate was captured.
    pub captured_at: DateTime<Utc>,
    /// Classic or modernized provider.
    pub flavor: Flavor,
    /// The failback policy (classic).
    pub policy: Option<PolicyValues>,
    /// The request planned.
    pub request: Request,
    /// Totals.
    pub summary: Summary,
    /// Units in order: each unit's stages run in order; units of a wave run side by side,
    /// a wave after the one before on the same master target.
    pub units: Vec<UnitReport>,
    /// Warnings and advice that hold (no blockers: a plan has none).
    pub findings: Vec<Finding>,
    /// What cuts over together: recovery plans, the request's applications, lone units.
    #[serde(default)]
    pub applications: Vec<ApplicationPlan>,
    /// The phases of each cutover wave with their estimated durations.
    #[serde(default)]
    pub phases: Vec<PhasePlan>,
    /// Findings about the run's shape (cutover windows too short, a commit policy the
    /// flavour cannot keep). A blocking one makes the plan not [`runnable`](Plan::runnable).
    #[serde(default)]
    pub schedule_findings: Vec<ScheduleFinding>,
    /// Disks attached to each master target when the plan was made, before the run
    /// (EXT-004): the baseline of the run's disk slots. A resumed run counts from it, not
    /// from what is attached now, which includes the disks of its own reprotects.
    #[serde(default)]
    pub attached_disks: std::collections::BTreeMap<String, u32>,
}

/// A plan, or the readiness report that refuses it.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum PlanOutcome {
    /// No blocker holds.
    Ready(Plan),
    /// At least one requested item is blocked: every rule is in the report.
    Refused(Assessment),
}

/// Plan a failback: assess, then build the plan if nothing blocks.
pub fn plan(estate: &Estate, request: &Request) -> Result<PlanOutcome> {
    let report = assess(estate, request)?;
    if !report.ready() {
        return Ok(PlanOutcome::Refused(report));
    }
    Ok(PlanOutcome::Ready(Plan::from_assessment(
        report, request, estate,
    )?))
}

impl Plan {
    /// Whether no schedule finding refuses the plan: a run starts only then.
    pub fn runnable(&self) -> bool {
        !self.schedule_findings.iter().any(|f| f.blocks)
    }

    /// Build a plan from a ready assessment of `estate`: the units and findings, then the
    /// applications and phases ([`crate::schedule::shape`]). Bad input is a request
    /// application that names what the plan does not move.
    pub fn from_assessment(report: Assessment, request: &Request, estate: &Estate) -> Result<Plan> {
        let shape = crate::schedule::shape(
            estate,
            &report.units,
            request,
            &crate::timing::TimingModel::default(),
        )?;
        let mut s = Summary {
            units: report.units.len(),
            ..Summary::default()
        };
        for u in &report.units {
            if u.kind == crate::readiness::UnitKind::Group {
                s.groups += 1;
            }
            s.waves = s.waves.max(u.wave);
            for it in &u.items {
                s.items += 1;
                if let Some(l) = &it.location {
                    match l.location {
                        Location::Original => s.original += 1,
                        Location::Alternate => s.alternate += 1,
                    }
                    if l.transfer == Transfer::Full {
                        s.full_copies += 1;
                    }
                    s.estimated_bytes += l.estimated_bytes;
                }
                if let Some(d) = &it.data_loss {
                    s.max_data_loss_seconds = s.max_data_loss_seconds.max(d.seconds);
                }
            }
        }
        Ok(Plan {
            format: FORMAT.to_string(),
            estate: report.estate,
            captured_at: report.captured_at,
            flavor: report.flavor,
            policy: report.policy.map(|p| PolicyValues {
                derived_from: p.derived_from().to_string(),
                rpo_threshold_minutes: p.rpo_threshold_minutes(),
                retention_minutes: p.retention_minutes(),
                app_consistent_frequency_minutes: p.app_consistent_frequency_minutes(),
            }),
            request: request.clone(),
            summary: s,
            units: report.units,
            findings: report.findings,
            applications: shape.applications,
            phases: shape.phases,
            schedule_findings: shape.findings,
            attached_disks: estate
                .master_targets
                .iter()
                .map(|m| (m.id.clone(), m.attached_disks))
                .collect(),
        })
    }

    /// The plan as pretty JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The plan as a readable table, one row per item, with a summary.
    pub fn to_table(&self) -> String {
        let headers = [
            "wave",
            "unit",
            "item",
            "state",
            "location",
            "transfer",
            "master target",
            "process server",
            "datastore",
            "retention",
            "point",
            "data loss",
            "stages",
        ];
        let mut rows = Vec::new();
        for u in &self.units {
            for it in &u.items {
                let loc = it.location.as_ref();
                rows.push(vec![
                    if u.wave == 0 {
                        "-".to_string()
                    } else {
                        u.wave.to_string()
                    },
                    u.name.clone(),
                    it.item.clone(),
                    it.state.to_string(),
                    loc.map_or("-".into(), |l| l.location.to_string()),
                    loc.map_or("-".into(), |l| {
                        format!(
                            "{} {}{}",
                            if l.transfer == Transfer::Delta {
                                "delta"
                            } else {
                                "full"
                            },
                            human_bytes(l.estimated_bytes),
                            if l.estimate_is_upper_bound {
                                " (max)"
                            } else {
                                ""
                            }
                        )
                    }),
                    opt(&it.inputs.master_target),
                    opt(&it.inputs.process_server),
                    opt(&it.inputs.datastore),
                    opt(&it.inputs.retention_volume),
                    it.recovery_point
                        .as_ref()
                        .map_or("-".into(), |p| match &p.id {
                            Some(id) => id.clone(),
                            None => point_name(&p.choice),
                        }),
                    it.data_loss.as_ref().map_or("-".into(), |d| {
                        let m = d.seconds / 60;
                        match d.basis {
                            crate::readiness::LossBasis::Measured => format!("{m} min"),
                            crate::readiness::LossBasis::PolicyBound => format!("<= {m} min"),
                            crate::readiness::LossBasis::PlannedFailover => {
                                format!("{m} min (planned)")
                            }
                        }
                    }),
                    it.stages
                        .iter()
                        .map(|s| {
                            if s.attach {
                                format!("({})", s.stage)
                            } else {
                                s.stage.to_string()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" > "),
                ]);
            }
        }
        let s = &self.summary;
        let mut out = table(&headers, &rows);
        out.push_str(&format!(
            "\n{} items in {} units ({} groups), {} wave(s): {} to the original VM, {} to a new VM, {} full copies, about {} to transfer; largest data loss {} min.\n",
            s.items,
            s.units,
            s.groups,
            s.waves,
            s.original,
            s.alternate,
            s.full_copies,
            human_bytes(s.estimated_bytes),
            s.max_data_loss_seconds / 60
        ));
        if !self.phases.is_empty() {
            let rows: Vec<Vec<String>> = self
                .phases
                .iter()
                .map(|p| {
                    vec![
                        p.wave.to_string(),
                        p.phase.to_string(),
                        p.applications.len().to_string(),
                        p.units.to_string(),
                        format!("{} min", p.estimated_seconds.div_ceil(60)),
                    ]
                })
                .collect();
            out.push('\n');
            out.push_str(&table(
                &["wave", "phase", "applications", "units", "estimate"],
                &rows,
            ));
        }
        let multi: Vec<String> = self
            .applications
            .iter()
            .filter(|a| a.kind != crate::schedule::ApplicationKind::Unit)
            .map(|a| {
                let groups: Vec<String> =
                    a.boot_groups.iter().map(|g| g.items.join(", ")).collect();
                format!(
                    "  {} (wave {}, cutover about {} min): {}\n",
                    a.name,
                    a.wave,
                    a.cutover_estimate_seconds.div_ceil(60),
                    groups.join(" > ")
                )
            })
            .collect();
        if !multi.is_empty() {
            out.push_str("\napplications (boot groups in order):\n");
            for m in multi {
                out.push_str(&m);
            }
        }
        for f in &self.schedule_findings {
            out.push_str(&format!(
                "\n{} {}\n      fix: {}\n",
                if f.blocks { "blocker" } else { "warning" },
                f.message,
                f.remediation
            ));
        }
        out
    }
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "-".into())
}

fn point_name(c: &crate::request::PointChoice) -> String {
    match c {
        crate::request::PointChoice::Latest => "latest".into(),
        crate::request::PointChoice::LatestApplicationConsistent => "latest app-consistent".into(),
        crate::request::PointChoice::Point { id } => id.clone(),
    }
}

/// Bytes in binary units, one decimal.
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

/// A plain-text table with a header row and aligned columns.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (i, c) in cells.enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            for _ in c.chars().count()..w {
                s.push(' ');
            }
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(&mut headers.iter().copied());
    out.push_str(&line(
        &mut widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(|s| s.as_str()),
    ));
    for r in rows {
        out.push_str(&line(&mut r.iter().map(|s| s.as_str())));
    }
    out
}
