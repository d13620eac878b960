//! `drill-report.md`: the summary, the failures, a row per item with each stage's start
//! and end, and the findings after failback with their fixes.

use failback_core::orchestrator::{ItemOutcome, StageRecord};
use failback_core::request::Stage;
use failback_core::rules::{Finding, RuleId, Severity, Subject};

use super::{
    cause, human_duration, offset, stages_of, status_word, Drill, Schedule, Spread, Totals,
    JSON_FILE, SVG_FILE,
};

/// Escape text for a Markdown table cell: no line break, no column separator, no HTML.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

/// `1 unit`, `3 units`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn seconds(v: Option<u64>) -> String {
    v.map_or_else(|| "-".to_string(), human_duration)
}

fn spread(s: &Spread) -> String {
    if s.measured == 0 {
        return "not measured".to_string();
    }
    format!(
        "median {}, worst {} ({} item{})",
        seconds(s.median_seconds),
        seconds(s.worst_seconds),
        s.measured,
        if s.measured == 1 { "" } else { "s" }
    )
}

/// One stage of one item: `T+0:00:00 → T+1:00:00`, with a mark when it failed or never
/// finished.
fn stage_cell(d: &Drill<'_>, r: Option<&StageRecord>) -> String {
    let Some(r) = r else {
        return "-".to_string();
    };
    let start = d.run.started_at;
    let span = match (r.started_at, r.finished_at) {
        (Some(a), Some(b)) => format!("{} → {}", offset(start, a), offset(start, b)),
        (Some(a), None) => format!("{} → …", offset(start, a)),
        (None, Some(b)) => format!("? → {}", offset(start, b)),
        (None, None) => String::new(),
    };
    let mark = match r.ok {
        Some(true) => "",
        Some(false) => " ✗ failed",
        None if r.dry_run => "",
        None => " (unfinished)",
    };
    let dry = if r.dry_run { " (dry run)" } else { "" };
    format!("{span}{mark}{dry}").trim().to_string()
}

fn subject_item(f: &Finding) -> String {
    match &f.subject {
        Subject::Item(x) => x.clone(),
        other => other.to_string(),
    }
}

/// The Markdown report.
pub fn render(d: &Drill<'_>) -> String {
    let run = d.run;
    let t = Totals::of(run);
    let mut out = String::new();
    out.push_str("# Failback drill report\n\n");
    out.push_str(&format!(
        "Estate **{}** (captured {}, {} provider), run `{}` from {} to {} ({} of the run's clock){}.\n\n",
        cell(d.plan.estate.as_deref().unwrap_or("(unnamed)")),
        d.plan.captured_at.to_rfc3339(),
        flavor(d),
        cell(&run.run_id),
        run.started_at.to_rfc3339(),
        run.finished_at.to_rfc3339(),
        human_duration(t.elapsed_seconds),
        if run.dry_run {
            ": a **dry run**, nothing was mutated"
        } else {
            ""
        }
    ));
    out.push_str(&format!(
        "Also: [{JSON_FILE}]({JSON_FILE}) (every figure, for programs) and \
         [{SVG_FILE}]({SVG_FILE}) (the timeline).\n\n"
    ));

    out.push_str("## Summary\n\n| | |\n| --- | --- |\n");
    out.push_str(&format!("| items | {} |\n", t.items));
    out.push_str(&format!("| done | {} |\n", t.done));
    out.push_str(&format!("| failed | {} |\n", t.failed));
    out.push_str(&format!("| pending | {} |\n", t.pending));
    if t.held > 0 {
        out.push_str(&format!("| held for a person | {} |\n", t.held));
    }
    if t.rolled_back > 0 {
        out.push_str(&format!("| rolled back | {} |\n", t.rolled_back));
    }
    let phases = run.phase_spans(d.plan);
    let sched = Schedule::of(d, &phases);
    out.push_str(&format!(
        "| makespan | {} |\n",
        human_duration(sched.makespan_seconds)
    ));
    if let (Some(lb), Some(binding)) = (sched.lower_bound_seconds, &sched.lower_bound_binding) {
        out.push_str(&format!(
            "| lower bound (what the resources allow) | {}, set by {}{} |\n",
            human_duration(lb),
            cell(binding),
            sched
                .makespan_over_lower_bound
                .map(|r| format!("; makespan is {r:.3} × the bound"))
                .unwrap_or_default()
        ));
    }
    out.push_str(&format!(
        "| recovery time (failover start to on-prem VM running) | {} |\n",
        spread(&t.recovery_time)
    ));
    out.push_str(&format!(
        "| data loss (age of the recovery point) | {} |\n",
        spread(&t.data_loss)
    ));
    out.push_str(&format!(
        "| planned | {}, {}, {}, largest planned data loss {} |\n",
        count(d.plan.summary.units, "unit"),
        count(d.plan.summary.groups, "group"),
        count(d.plan.summary.waves as usize, "wave"),
        human_duration(d.plan.summary.max_data_loss_seconds)
    ));
    for c in &sched.cutovers {
        out.push_str(&format!(
            "| wave {} cutover (first failover start to last failover end) | {} against a lower bound of {}{} |\n",
            c.wave,
            human_duration(c.span_seconds),
            human_duration(c.lower_bound_seconds),
            c.over_lower_bound
                .map(|r| format!(" ({r:.3} ×)"))
                .unwrap_or_default()
        ));
    }
    if let Some(h) = d.http {
        out.push_str(&format!(
            "| HTTP requests (over {}) | {} in all, **{:.1} per item** ({} GET, {} PUT, {} POST{}; {} retries, {} throttled) |\n",
            cell(&h.over),
            h.total,
            h.per_item,
            h.get,
            h.put,
            h.post,
            if h.other > 0 { format!(", {} other", h.other) } else { String::new() },
            h.retries,
            h.throttled
        ));
    }
    out.push('\n');
    if !phases.is_empty() {
        out.push_str("## Phases\n\n");
        out.push_str("Offsets from the run's start, per cutover wave.\n\n");
        out.push_str("| wave | phase | start | end | length |\n| --- | --- | --- | --- | --- |\n");
        for p in &phases {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                p.wave,
                p.phase,
                offset(run.started_at, p.started_at),
                offset(run.started_at, p.finished_at),
                human_duration(super::seconds_between(p.started_at, p.finished_at))
            ));
        }
        out.push('\n');
    }
    if !run.applications.is_empty() {
        out.push_str("## Applications\n\n");
        out.push_str(
            "Downtime: first Azure VM shut down to last on-premises VM running and verified.\n\n",
        );
        out.push_str("| application | wave | items | cutover start | downtime | window | held |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- | --- |\n");
        for a in &run.applications {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                cell(&a.name),
                a.wave,
                a.items.len(),
                a.cutover_started_at
                    .map_or_else(|| "-".to_string(), |t| offset(run.started_at, t)),
                seconds(a.downtime_seconds),
                a.window.as_ref().map_or_else(
                    || "-".to_string(),
                    |w| format!("{} for {} min", w.start.to_rfc3339(), w.minutes)
                ),
                a.held
                    .as_ref()
                    .map_or_else(|| "-".to_string(), |h| cell(&h.to_string())),
            ));
        }
        out.push('\n');
    }
    if !run.holds.is_empty() {
        out.push_str("## Holds\n\n");
        out.push_str("Continue with `failback resume --continue JOURNAL` once decided.\n\n");
        for h in &run.holds {
            out.push_str(&format!(
                "- **{}**: {}\n",
                cell(&h.hold.to_string()),
                cell(&h.reason)
            ));
        }
        out.push('\n');
    }

    if !run.warnings.is_empty() {
        out.push_str("## Warnings\n\n");
        for w in &run.warnings {
            out.push_str(&format!("- {}\n", cell(w)));
        }
        out.push('\n');
    }

    let not_done: Vec<&ItemOutcome> = run
        .items
        .iter()
        .filter(|i| status_word(i) != "done")
        .collect();
    if !not_done.is_empty() {
        out.push_str("## Items not done\n\n");
        for i in &not_done {
            out.push_str(&format!(
                "- **{}** (unit {}): {}, {}\n",
                cell(&i.item),
                cell(&i.unit),
                status_word(i),
                cell(&cause(i))
            ));
        }
        out.push('\n');
    }

    let stages = stages_of(run);
    out.push_str("## Items\n\n");
    out.push_str("Stage times are offsets from the run's start (`T+hours:minutes:seconds`).\n\n");
    let mut head = vec!["item", "unit", "status"];
    let names: Vec<String> = stages.iter().map(Stage::to_string).collect();
    head.extend(names.iter().map(String::as_str));
    head.extend(["recovery time", "data loss", "cause"]);
    out.push_str(&format!("| {} |\n", head.join(" | ")));
    out.push_str(&format!("|{}\n", " --- |".repeat(head.len())));
    for i in &run.items {
        let mut row = vec![cell(&i.item), cell(&i.unit), status_word(i).to_string()];
        for s in &stages {
            row.push(stage_cell(d, i.stages.iter().find(|r| r.stage == *s)));
        }
        row.push(seconds(i.recovery_time_seconds));
        row.push(seconds(i.data_loss_seconds));
        row.push(cell(&cause(i)));
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out.push('\n');

    out.push_str("## Findings after failback\n\n");
    let after: Vec<&Finding> = run.items.iter().flat_map(|i| &i.findings).collect();
    if after.is_empty() {
        out.push_str("None: no item needs a fix once back on-premises.\n\n");
    } else {
        out.push_str("| rule | item | finding | fix |\n| --- | --- | --- | --- |\n");
        for f in after {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                f.rule,
                cell(&subject_item(f)),
                cell(&f.message),
                cell(&f.remediation)
            ));
        }
        out.push('\n');
    }

    out.push_str("## Findings of the assessment\n\n");
    let shown: Vec<&Finding> = d
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .collect();
    if shown.is_empty() {
        out.push_str("No warning.\n");
    } else {
        out.push_str(
            "| severity | rule | subject | finding | fix |\n| --- | --- | --- | --- | --- |\n",
        );
        for f in &shown {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                f.severity,
                f.rule,
                cell(&f.subject.to_string()),
                cell(&f.message),
                cell(&f.remediation)
            ));
        }
    }
    let mut info: Vec<(RuleId, usize)> = Vec::new();
    for f in d.findings.iter().filter(|f| f.severity < Severity::Warning) {
        match info.iter_mut().find(|(r, _)| *r == f.rule) {
            Some((_, n)) => *n += 1,
            None => info.push((f.rule, 1)),
        }
    }
    if !info.is_empty() {
        info.sort();
        let list: Vec<String> = info.iter().map(|(r, n)| format!("{r} ×{n}")).collect();
        out.push_str(&format!(
            "\nAdvice and location notes ({}): in {JSON_FILE}.\n",
            list.join(", ")
        ));
    }
    out
}

fn flavor(d: &Drill<'_>) -> String {
    serde_json::to_value(d.plan.flavor)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{:?}", d.plan.flavor))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::report::tests::{plan, run};

    fn rendered() -> String {
        let (p, r) = (plan(), run());
        render(&Drill {
            bound: None,
            cutover_bounds: &[],
            http: None,
            plan: &p,
            run: &r,
            findings: &p.findings,
        })
    }

    #[test]
    fn names_every_item_and_failure() {
        let md = rendered();
        for item in ["web-01", "db-01", "db-02", "app-01"] {
            assert!(md.contains(&format!("| {item} |")), "{item} missing:\n{md}");
        }
        assert!(md.contains("| failed | 1 |"), "{md}");
        assert!(md.contains("**app-01** (unit app-01): failed, failover: job &lt;j-9&gt; failed"));
        assert!(md.contains("✗ failed"));
        assert!(md.contains("a torn record was dropped"));
    }

    #[test]
    fn summary_has_median_and_worst() {
        let md = rendered();
        assert!(
            md.contains("median 14m 00s, worst 14m 00s (3 items)"),
            "{md}"
        );
        assert!(md.contains("median 5m 20s, worst 5m 20s (3 items)"), "{md}");
    }

    #[test]
    fn stage_times_are_offsets() {
        let md = rendered();
        assert!(md.contains("T+1:01:00 → T+1:15:00"), "{md}");
    }

    #[test]
    fn ops003_names_the_address_to_restore() {
        let md = rendered();
        let line = md.lines().find(|l| l.starts_with("| OPS-003 |")).unwrap();
        assert!(
            line.contains("set 10.0.1.5 statically on NIC nic-0"),
            "{line}"
        );
    }

    #[test]
    fn cells_never_break_the_table() {
        let md = rendered();
        let row = md.lines().find(|l| l.starts_with("| app-01 |")).unwrap();
        let header = md.lines().find(|l| l.starts_with("| item |")).unwrap();
        let cols = |l: &str| l.replace("\\|", "").matches('|').count();
        assert_eq!(cols(row), cols(header), "{row}");
    }

    #[test]
    fn assessment_warnings_listed_and_advice_counted() {
        let md = rendered();
        assert!(md.contains("| warning | EXT-011 |"), "{md}");
        assert!(md.contains("Advice and location notes ("), "{md}");
    }
}
