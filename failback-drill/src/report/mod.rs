//! The drill report: from a plan, the run's report and the assessment's findings, three
//! files: `drill-report.md` (for people), `drill-report.json` (for programs) and
//! `drill-timeline.svg` (a Gantt chart of the stages). [`schema`] is the JSON Schema of
//! the JSON report.

pub mod markdown;
pub mod svg;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use failback_core::bound::LowerBound;
use failback_core::orchestrator::{
    ApplicationOutcome, HoldRecord, ItemOutcome, ItemStatus, PhaseSpan, RunReport,
};
use failback_core::request::Stage;
use failback_core::rules::Finding;
use failback_core::Plan;
use schemars::JsonSchema;
use serde::Serialize;

/// The name of the Markdown report.
pub const MARKDOWN_FILE: &str = "drill-report.md";
/// The name of the JSON report.
pub const JSON_FILE: &str = "drill-report.json";
/// The name of the timeline picture.
pub const SVG_FILE: &str = "drill-timeline.svg";
/// The `format` of the JSON report.
pub const FORMAT: &str = "failback-drill-report/2";

/// What a report is drawn from.
#[derive(Debug, Clone, Copy)]
pub struct Drill<'a> {
    /// The plan that was run.
    pub plan: &'a Plan,
    /// What the run did.
    pub run: &'a RunReport,
    /// The findings of the assessment before the run (warnings and advice: a plan has no
    /// blocker).
    pub findings: &'a [Finding],
    /// The lower bound of the run's makespan on its site, when known.
    pub bound: Option<&'a LowerBound>,
    /// The shortest each wave's cutover can take, `(wave, seconds)`
    /// ([`failback_core::bound::cutover_lower_bounds`]).
    pub cutover_bounds: &'a [(u32, u64)],
    /// The HTTP requests the run sent, when it went over HTTP
    /// ([`crate::http::over_http`]).
    pub http: Option<&'a crate::http::HttpRequests>,
}

/// One wave's cutover against its lower bound.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CutoverFigure {
    /// The cutover wave.
    pub wave: u32,
    /// Its first failover's start to its last failover's end, in seconds.
    pub span_seconds: u64,
    /// The shortest it can take: its longest application's boot groups one after the
    /// other, or its failovers at the write rate.
    pub lower_bound_seconds: u64,
    /// Span over lower bound, to three decimals.
    pub over_lower_bound: Option<f64>,
}

/// The run's length against the shortest the resources allow.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Schedule {
    /// Run start to run end, in seconds of the run's clock.
    pub makespan_seconds: u64,
    /// The lower bound ([`failback_core::bound::lower_bound`]): the longest chain of stage
    /// durations that the disk slots, links, boot order, windows and write rate allow.
    pub lower_bound_seconds: Option<u64>,
    /// What sets the bound (an application's chain, a link, a master target, the write
    /// rate).
    pub lower_bound_binding: Option<String>,
    /// Makespan over lower bound, to three decimals.
    pub makespan_over_lower_bound: Option<f64>,
    /// Each wave's cutover against its lower bound.
    pub cutovers: Vec<CutoverFigure>,
}

/// `a / b` to three decimals, when `b` is not 0.
fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| ((a as f64 / b as f64) * 1000.0).round() / 1000.0)
}

impl Schedule {
    /// The schedule figures of a drill whose phases ran as `spans`
    /// ([`RunReport::phase_spans`]).
    pub fn of(d: &Drill<'_>, spans: &[PhaseSpan]) -> Schedule {
        let makespan = seconds_between(d.run.started_at, d.run.finished_at);
        let cutovers = d
            .cutover_bounds
            .iter()
            .filter_map(|&(wave, lb)| {
                let span = spans.iter().find(|p| {
                    p.wave == wave && p.phase == failback_core::runbook::Phase::Cutover
                })?;
                let secs = seconds_between(span.started_at, span.finished_at);
                Some(CutoverFigure {
                    wave,
                    span_seconds: secs,
                    lower_bound_seconds: lb,
                    over_lower_bound: ratio(secs, lb),
                })
            })
            .collect();
        Schedule {
            makespan_seconds: makespan,
            lower_bound_seconds: d.bound.map(|b| b.seconds),
            lower_bound_binding: d.bound.map(|b| b.binding.clone()),
            makespan_over_lower_bound: d.bound.and_then(|b| ratio(makespan, b.seconds)),
            cutovers,
        }
    }
}

/// The median and the worst of a figure over the items that have it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Spread {
    /// Items with the figure.
    pub measured: usize,
    /// The median, in seconds (the lower middle value for an even count).
    pub median_seconds: Option<u64>,
    /// The largest, in seconds.
    pub worst_seconds: Option<u64>,
}

impl Spread {
    /// The spread of `values`.
    pub fn of(values: impl IntoIterator<Item = u64>) -> Spread {
        let mut v: Vec<u64> = values.into_iter().collect();
        v.sort_unstable();
        Spread {
            measured: v.len(),
            median_seconds: v.get(v.len().saturating_sub(1) / 2).copied(),
            worst_seconds: v.last().copied(),
        }
    }
}

/// The totals of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Totals {
    /// Items in the run.
    pub items: usize,
    /// Items done.
    pub done: usize,
    /// Items failed.
    pub failed: usize,
    /// Items not finished.
    pub pending: usize,
    /// Items stopped at a hold, for a person to decide.
    pub held: usize,
    /// Items rolled back (a modernized failover cancelled).
    pub rolled_back: usize,
    /// Achieved recovery time: failover start to the on-prem VM seen running.
    pub recovery_time: Spread,
    /// Achieved data loss: the age of the recovery point failed over to.
    pub data_loss: Spread,
    /// Run time, start to end, in seconds of the run's clock.
    pub elapsed_seconds: u64,
}

impl Totals {
    /// The totals of `run`.
    pub fn of(run: &RunReport) -> Totals {
        Totals {
            items: run.items.len(),
            done: run.done(),
            failed: run.failed(),
            pending: run.pending(),
            held: run.held(),
            rolled_back: run.rolled_back(),
            recovery_time: Spread::of(run.items.iter().filter_map(|i| i.recovery_time_seconds)),
            data_loss: Spread::of(run.items.iter().filter_map(|i| i.data_loss_seconds)),
            elapsed_seconds: seconds_between(run.started_at, run.finished_at),
        }
    }
}

/// The plan's part of the JSON report.
#[derive(Debug, Serialize, JsonSchema)]
struct PlanPart<'a> {
    /// The estate's name.
    estate: &'a Option<String>,
    /// When the estate was captured.
    captured_at: DateTime<Utc>,
    /// Classic or modernized provider.
    flavor: &'a failback_core::estate::Flavor,
    /// The failback policy (classic).
    policy: &'a Option<failback_core::plan::PolicyValues>,
    /// The plan's counts.
    summary: &'a failback_core::plan::Summary,
}

/// A drill's report for programs (`drill-report.json`, format `failback-drill-report/2`):
/// the plan's summary, the makespan against its lower bound, the totals, the phases as
/// they ran, each application's downtime, the holds, the run report and the assessment's
/// findings.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "DrillReport")]
struct JsonReport<'a> {
    /// Document format: `failback-drill-report/2`.
    #[schemars(schema_with = "format_schema")]
    format: &'static str,
    /// The plan that was run.
    plan: PlanPart<'a>,
    /// The run's length against the shortest the resources allow.
    #[serde(flatten)]
    schedule: Schedule,
    /// The totals of the run.
    totals: Totals,
    /// When each phase of each cutover wave ran.
    phases: Vec<PhaseSpan>,
    /// How each application ended (its downtime).
    applications: &'a [ApplicationOutcome],
    /// The holds where the run stopped for a person.
    holds: &'a [HoldRecord],
    /// What the run did, item by item (the run report).
    run: &'a RunReport,
    /// The findings of the assessment before the run.
    assessment_findings: &'a [Finding],
    /// The HTTP requests the run sent, when it went over HTTP (absent in process).
    #[serde(skip_serializing_if = "Option::is_none")]
    http_requests: Option<&'a crate::http::HttpRequests>,
}

/// The schema of the `format` member: [`FORMAT`] exactly.
fn format_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "const": FORMAT })
}

/// The JSON Schema (draft 2020-12) of the JSON report ([`JSON_FILE`], format [`FORMAT`]),
/// generated from the types it is written from, as they serialize: a member is required
/// unless the writer may leave it out. The checked-in copy is `schema/report.schema.json`
/// (`failback schema report` prints it).
pub fn schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    serde_json::to_value(generator.into_root_schema_for::<JsonReport<'static>>())
        .unwrap_or_default()
}

/// The JSON report: the plan's summary, the makespan against its lower bound, the totals,
/// the phases as they ran, each application's downtime, the holds, the run report and the
/// assessment's findings.
pub fn json(d: &Drill<'_>) -> Result<String, serde_json::Error> {
    let spans = d.run.phase_spans(d.plan);
    serde_json::to_string_pretty(&JsonReport {
        format: FORMAT,
        plan: PlanPart {
            estate: &d.plan.estate,
            captured_at: d.plan.captured_at,
            flavor: &d.plan.flavor,
            policy: &d.plan.policy,
            summary: &d.plan.summary,
        },
        schedule: Schedule::of(d, &spans),
        totals: Totals::of(d.run),
        phases: spans,
        applications: &d.run.applications,
        holds: &d.run.holds,
        run: d.run,
        assessment_findings: d.findings,
        http_requests: d.http,
    })
}

/// The paths of the written report files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Written {
    /// The Markdown report.
    pub markdown: PathBuf,
    /// The JSON report.
    pub json: PathBuf,
    /// The timeline picture.
    pub svg: PathBuf,
}

/// A report file could not be written.
#[derive(Debug)]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub message: String,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write {}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for WriteError {}

/// Write the three report files into `dir` (created if missing), replacing older ones.
pub fn write(dir: &Path, d: &Drill<'_>) -> Result<Written, WriteError> {
    std::fs::create_dir_all(dir).map_err(|e| WriteError {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    let out = Written {
        markdown: dir.join(MARKDOWN_FILE),
        json: dir.join(JSON_FILE),
        svg: dir.join(SVG_FILE),
    };
    let json_text = json(d).map_err(|e| WriteError {
        path: out.json.clone(),
        message: e.to_string(),
    })?;
    for (path, text) in [
        (&out.markdown, markdown::render(d)),
        (&out.json, json_text),
        (&out.svg, svg::render(d)),
    ] {
        std::fs::write(path, text).map_err(|e| WriteError {
            path: path.clone(),
            message: e.to_string(),
        })?;
    }
    Ok(out)
}

/// Whole seconds from `a` to `b` (0 when `b` is before `a`).
pub fn seconds_between(a: DateTime<Utc>, b: DateTime<Utc>) -> u64 {
    u64::try_from((b - a).num_seconds()).unwrap_or(0)
}

/// A duration for people: `45s`, `12m 30s`, `3h 05m`, `2d 04h`.
pub fn human_duration(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        format!("{d}d {h:02}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

/// An offset from the run's start: `T+1:02:03`.
pub fn offset(start: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let secs = seconds_between(start, at);
    format!("T+{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// The stages that appear in a run, in stage order.
pub fn stages_of(run: &RunReport) -> Vec<Stage> {
    Stage::ALL
        .into_iter()
        .filter(|s| {
            run.items
                .iter()
                .any(|i| i.stages.iter().any(|r| r.stage == *s))
        })
        .collect()
}

/// An item's status in one word.
pub fn status_word(i: &ItemOutcome) -> &'static str {
    match i.status {
        ItemStatus::Done => "done",
        ItemStatus::Failed { .. } => "failed",
        ItemStatus::Pending => "pending",
        ItemStatus::Held { .. } => "held",
        ItemStatus::RolledBack { .. } => "rolled back",
    }
}

/// Why an item is not done, in one line (empty when done).
pub fn cause(i: &ItemOutcome) -> String {
    match &i.status {
        ItemStatus::Done => String::new(),
        ItemStatus::Failed { stage, cause, .. } => format!("{stage}: {cause}"),
        ItemStatus::Pending => {
            "not finished: the run was cancelled or interrupted, or it waits behind a held application".to_string()
        }
        ItemStatus::Held { phase, reason } => {
            format!("held after {phase}: {reason} (failback resume --continue goes on)")
        }
        ItemStatus::RolledBack { cause } => format!("rolled back: {cause}"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    //! A hand-built run over the healthy example estate, shared by the renderers' tests.

    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use chrono::TimeZone;
    use failback_core::orchestrator::StageRecord;
    use failback_core::provider::JobId;
    use failback_core::rules::{RuleId, Subject};
    use failback_core::{Estate, PlanOutcome, Request};

    pub(crate) fn plan() -> Plan {
        let e =
            Estate::from_json_str(include_str!("../../../examples/estates/healthy.json")).unwrap();
        match failback_core::plan(&e, &Request::default()).unwrap() {
            PlanOutcome::Ready(p) => p,
            PlanOutcome::Refused(_) => panic!("healthy estate refused"),
        }
    }

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap() + chrono::Duration::minutes(min)
    }

    fn rec(stage: Stage, from: i64, to: Option<i64>, ok: Option<bool>) -> StageRecord {
        StageRecord {
            stage,
            started_at: Some(t(from)),
            finished_at: to.map(t),
            job: Some(JobId(format!("job-{stage}-{from}"))),
            ok,
            dry_run: false,
        }
    }

    fn full(item: &str, unit: &str, at: i64) -> ItemOutcome {
        ItemOutcome {
            item: item.into(),
            unit: unit.into(),
            status: ItemStatus::Done,
            stages: vec![
                rec(Stage::Reprotect, at, Some(at + 60), Some(true)),
                rec(Stage::Failover, at + 61, Some(at + 75), Some(true)),
                rec(Stage::Commit, at + 76, Some(at + 80), Some(true)),
                rec(Stage::ReprotectToAzure, at + 81, Some(at + 140), Some(true)),
            ],
            recovery_time_seconds: Some(14 * 60),
            data_loss_seconds: Some(300 + at as u64),
            findings: vec![],
        }
    }

    /// web-01 done with an OPS-003 finding, db-01 and db-02 (a group) done, app-01
    /// failed at failover with a cause holding characters to escape.
    pub(crate) fn run() -> RunReport {
        let mut web = full("web-01", "web-01", 0);
        web.findings.push(
            failback_core::rules::Finding::new(
                RuleId::Ops003,
                Subject::Item("web-01".into()),
                "web-01 had static address 10.0.1.5 on NIC nic-0 and uses DHCP in Azure",
            )
            .with_remediation("after failback set 10.0.1.5 statically on NIC nic-0 again"),
        );
        let app = ItemOutcome {
            item: "app-01".into(),
            unit: "app-01".into(),
            status: ItemStatus::Failed {
                stage: Stage::Failover,
                cause: "job <j-9> failed: disk \"d1\" & |pipe| lost".into(),
                kind: Some(failback_core::ErrorKind::JobFailed),
                job_error: Some(failback_core::JobError {
                    code: Some("78093".into()),
                    message: "disk \"d1\" & |pipe| lost".into(),
                    possible_causes: vec!["the datastore <ds-1> went away".into()],
                    recommended_action: Some("check the datastore".into()),
                }),
            },
            stages: vec![
                rec(Stage::Reprotect, 5, Some(70), Some(true)),
                rec(Stage::Failover, 71, Some(90), Some(false)),
            ],
            recovery_time_seconds: None,
            data_loss_seconds: None,
            findings: vec![],
        };
        RunReport {
            run_id: "run-test".into(),
            started_at: t(0),
            finished_at: t(200),
            dry_run: false,
            warnings: vec!["a torn record was dropped".into()],
            items: vec![web, full("db-01", "db", 20), full("db-02", "db", 20), app],
            applications: vec![],
            holds: vec![],
        }
    }

    #[test]
    fn spread_median_and_worst() {
        assert_eq!(Spread::of([]).median_seconds, None);
        let s = Spread::of([5, 1, 9, 3]);
        assert_eq!(
            (s.measured, s.median_seconds, s.worst_seconds),
            (4, Some(3), Some(9))
        );
        assert_eq!(Spread::of([7]).median_seconds, Some(7));
    }

    #[test]
    fn totals_count_each_status() {
        let t = Totals::of(&run());
        assert_eq!((t.items, t.done, t.failed, t.pending), (4, 3, 1, 0));
        assert_eq!(t.recovery_time.measured, 3);
        assert_eq!(t.data_loss.worst_seconds, Some(320));
        assert_eq!(t.elapsed_seconds, 200 * 60);
    }

    #[test]
    fn human_durations() {
        assert_eq!(human_duration(45), "45s");
        assert_eq!(human_duration(750), "12m 30s");
        assert_eq!(human_duration(3 * 3600 + 300), "3h 05m");
        assert_eq!(human_duration(2 * 86_400 + 4 * 3600), "2d 04h");
        assert_eq!(offset(t(0), t(62)), "T+1:02:00");
    }

    #[test]
    fn json_report_round_trips_the_run() {
        let (p, r) = (plan(), run());
        let text = json(&Drill {
            bound: None,
            cutover_bounds: &[],
            http: None,
            plan: &p,
            run: &r,
            findings: &p.findings,
        })
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["format"], FORMAT);
        assert_eq!(v["plan"]["summary"]["items"], 4);
        assert_eq!(v["totals"]["failed"], 1);
        let back: RunReport = serde_json::from_value(v["run"].clone()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn write_creates_the_three_files() {
        let (p, r) = (plan(), run());
        let dir = std::env::temp_dir().join(format!("failback-report-{}", std::process::id()));
        let w = write(
            &dir,
            &Drill {
                bound: None,
                cutover_bounds: &[],
                http: None,
                plan: &p,
                run: &r,
                findings: &p.findings,
            },
        )
        .unwrap();
        for f in [&w.markdown, &w.json, &w.svg] {
            assert!(f.is_file(), "{} missing", f.display());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
