//! `drill-timeline.svg`: a Gantt chart of the run, hand-written (no dependency). One row
//! per item (the first [`MAX_ROWS`], then a note), a bar per stage coloured by stage, a
//! failed stage outlined in red with a cross, an unfinished one dashed, a time axis with
//! labels and a legend. Each row is a `<g class="row" data-item="…">`. Above the rows, a
//! band per cutover wave shows its phases as they ran (`<g class="phases">`), and the
//! request's cutover windows are shaded over the whole chart (`<rect class="window">`).

use chrono::{DateTime, Utc};
use failback_core::orchestrator::StageRecord;
use failback_core::request::Stage;
use failback_core::runbook::Phase;

use super::{human_duration, offset, seconds_between, status_word, Drill, Totals};

/// Rows drawn at most; the rest is counted in a note under the chart.
pub const MAX_ROWS: usize = 200;

const WIDTH: f64 = 1200.0;
const LABEL: f64 = 190.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 92.0;
const ROW: f64 = 16.0;
const BAR: f64 = 10.0;
const FAILED: &str = "#d62728";

/// Escape text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids: drop them.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// A stage's colour.
pub fn colour(stage: Stage) -> &'static str {
    match stage {
        Stage::Reprotect => "#1f77b4",
        Stage::Failover => "#ff7f0e",
        Stage::Commit => "#2ca02c",
        Stage::ReprotectToAzure => "#9467bd",
    }
}

/// A phase's colour.
pub fn phase_colour(phase: Phase) -> &'static str {
    match phase {
        Phase::Reprotect => "#1f77b4",
        Phase::WaitHealthy => "#8c8c8c",
        Phase::Cutover => "#ff7f0e",
        Phase::Verify => "#e6b800",
        Phase::Commit => "#2ca02c",
        Phase::ReprotectToAzure => "#9467bd",
    }
}

/// Height of one wave's band of phases.
const BAND: f64 = 14.0;

/// A tick step (seconds) giving at most about ten ticks over `span` seconds.
fn tick_step(span: u64) -> u64 {
    const STEPS: [u64; 17] = [
        1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
        172_800,
    ];
    STEPS
        .into_iter()
        .find(|s| span / s <= 10)
        .unwrap_or_else(|| span.div_ceil(10).max(1))
}

/// Where the chart ends: the run's end or the latest stage end, whichever is later.
fn end_of(d: &Drill<'_>) -> DateTime<Utc> {
    d.run
        .items
        .iter()
        .flat_map(|i| &i.stages)
        .filter_map(|r| r.finished_at.or(r.started_at))
        .fold(d.run.finished_at, DateTime::max)
}

struct Scale {
    start: DateTime<Utc>,
    span: f64,
}

impl Scale {
    fn x(&self, at: DateTime<Utc>) -> f64 {
        let secs = (at - self.start).num_milliseconds() as f64 / 1000.0;
        LABEL + (secs / self.span).clamp(0.0, 1.0) * (WIDTH - LABEL - RIGHT)
    }
}

/// The timeline picture.
pub fn render(d: &Drill<'_>) -> String {
    let run = d.run;
    let end = end_of(d);
    let span_secs = seconds_between(run.started_at, end).max(1);
    let scale = Scale {
        start: run.started_at,
        span: span_secs as f64,
    };
    let rows = run.items.len().min(MAX_ROWS);
    let hidden = run.items.len() - rows;
    let spans = run.phase_spans(d.plan);
    let mut waves: Vec<u32> = spans.iter().map(|p| p.wave).collect();
    waves.dedup();
    let bands_top = TOP;
    let top = TOP + BAND * waves.len() as f64 + if waves.is_empty() { 0.0 } else { 6.0 };
    let chart_bottom = top + rows as f64 * ROW;
    let height = chart_bottom + if hidden > 0 { 56.0 } else { 36.0 };
    let t = Totals::of(run);

    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n"
    ));
    s.push_str(&format!(
        "<title>Failback drill {}: timeline of {} items</title>\n",
        escape(&run.run_id),
        t.items
    ));
    s.push_str(&format!(
        "<rect x=\"0\" y=\"0\" width=\"{WIDTH}\" height=\"{height}\" fill=\"#ffffff\"/>\n"
    ));
    s.push_str(&format!(
        "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Failback drill {} \u{2014} {}: {} done, {} failed, {} pending, {}</text>\n",
        escape(d.plan.estate.as_deref().unwrap_or("(unnamed)")),
        escape(&run.run_id),
        t.done,
        t.failed,
        t.pending,
        human_duration(t.elapsed_seconds)
    ));
    legend(&mut s);
    axis(&mut s, &scale, span_secs, chart_bottom);
    for w in &d.plan.request.cutover.windows {
        let x0 = scale.x(w.start);
        let x1 = scale.x(w.end());
        s.push_str(&format!(
            "<rect class=\"window\" x=\"{x0:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#ffe58a\" fill-opacity=\"0.35\"><title>cutover window {} for {} min</title></rect>\n",
            bands_top - 4.0,
            (x1 - x0).max(1.0),
            chart_bottom - bands_top + 4.0,
            escape(&w.start.to_rfc3339()),
            w.minutes
        ));
    }
    s.push_str("<g class=\"phases\">\n");
    for (k, wave) in waves.iter().enumerate() {
        let y = bands_top + BAND * k as f64;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#222222\">wave {wave} phases</text>\n",
            LABEL - 6.0,
            y + BAR
        ));
        for p in spans.iter().filter(|p| p.wave == *wave) {
            let x0 = scale.x(p.started_at);
            let x1 = scale.x(p.finished_at);
            s.push_str(&format!(
                "<rect x=\"{x0:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{BAR}\" fill=\"{}\" fill-opacity=\"0.8\"><title>wave {wave} {}: {} → {} ({})</title></rect>\n",
                y + 1.0,
                (x1 - x0).max(1.0),
                phase_colour(p.phase),
                p.phase,
                offset(run.started_at, p.started_at),
                offset(run.started_at, p.finished_at),
                human_duration(seconds_between(p.started_at, p.finished_at))
            ));
        }
    }
    s.push_str("</g>\n");

    s.push_str("<g class=\"rows\">\n");
    for (n, item) in run.items.iter().take(rows).enumerate() {
        let y = top + n as f64 * ROW;
        s.push_str(&format!(
            "<g class=\"row\" data-item=\"{}\" data-status=\"{}\">\n",
            escape(&item.item),
            status_word(item)
        ));
        if n % 2 == 1 {
            s.push_str(&format!(
                "<rect x=\"0\" y=\"{y}\" width=\"{WIDTH}\" height=\"{ROW}\" fill=\"#f4f4f4\"/>\n"
            ));
        }
        let label_colour = if status_word(item) == "failed" {
            FAILED
        } else {
            "#222222"
        };
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{label_colour}\">{}</text>\n",
            LABEL - 6.0,
            y + ROW - 4.0,
            escape(&truncate(&item.item, 30))
        ));
        for r in &item.stages {
            bar(&mut s, d, &scale, end, &item.item, r, y);
        }
        s.push_str("</g>\n");
    }
    s.push_str("</g>\n");
    if hidden > 0 {
        s.push_str(&format!(
            "<text class=\"note\" x=\"10\" y=\"{}\" font-style=\"italic\">\u{2026} and {hidden} more items not drawn (first {MAX_ROWS} shown): every item is in drill-report.md and drill-report.json</text>\n",
            chart_bottom + 40.0
        ));
    }
    s.push_str("</svg>\n");
    s
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut t: String = text.chars().take(max - 1).collect();
        t.push('\u{2026}');
        t
    }
}

/// A tick label: the non-zero parts only (`0`, `45s`, `30m`, `1h 30m`, `2d`).
fn tick_label(secs: u64) -> String {
    if secs == 0 {
        return "0".to_string();
    }
    let parts = [
        (secs / 86_400, "d"),
        (secs / 3600 % 24, "h"),
        (secs / 60 % 60, "m"),
        (secs % 60, "s"),
    ];
    let shown: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    shown.join(" ")
}

fn legend(s: &mut String) {
    s.push_str("<g class=\"legend\">\n");
    let mut x = 10.0;
    for stage in Stage::ALL {
        s.push_str(&format!(
            "<rect x=\"{x}\" y=\"32\" width=\"14\" height=\"{BAR}\" fill=\"{}\"/><text x=\"{}\" y=\"41\">{stage}</text>\n",
            colour(stage),
            x + 18.0
        ));
        x += 30.0 + stage.to_string().len() as f64 * 6.5;
    }
    s.push_str(&format!(
        "<rect x=\"{x}\" y=\"32\" width=\"14\" height=\"{BAR}\" fill=\"#bbbbbb\" stroke=\"{FAILED}\" stroke-width=\"2\"/><text x=\"{}\" y=\"41\">failed (\u{2715})</text>\n",
        x + 18.0
    ));
    x += 90.0;
    s.push_str(&format!(
        "<rect x=\"{x}\" y=\"32\" width=\"14\" height=\"{BAR}\" fill=\"#bbbbbb\" fill-opacity=\"0.45\" stroke=\"#555555\" stroke-dasharray=\"3,2\"/><text x=\"{}\" y=\"41\">unfinished</text>\n",
        x + 18.0
    ));
    s.push_str("</g>\n");
}

fn axis(s: &mut String, scale: &Scale, span: u64, bottom: f64) {
    let step = tick_step(span);
    s.push_str("<g class=\"axis\">\n");
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#555555\">time since start</text>\n",
        LABEL - 6.0,
        TOP - 12.0
    ));
    s.push_str(&format!(
        "<line x1=\"{LABEL}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555555\"/>\n",
        TOP - 4.0,
        WIDTH - RIGHT,
        TOP - 4.0
    ));
    let mut at = 0;
    while at <= span {
        let x = scale.x(scale.start + chrono::Duration::seconds(at as i64));
        s.push_str(&format!(
            "<line x1=\"{x:.1}\" y1=\"{}\" x2=\"{x:.1}\" y2=\"{bottom}\" stroke=\"#dddddd\"/>\n",
            TOP - 8.0
        ));
        s.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555555\">{}</text>\n",
            TOP - 12.0,
            tick_label(at)
        ));
        at += step;
    }
    s.push_str("</g>\n");
}

fn bar(
    s: &mut String,
    d: &Drill<'_>,
    scale: &Scale,
    end: DateTime<Utc>,
    item: &str,
    r: &StageRecord,
    y: f64,
) {
    let Some(start) = r.started_at else {
        return;
    };
    let finish = r.finished_at.unwrap_or(end);
    let x0 = scale.x(start);
    let w = (scale.x(finish) - x0).max(1.5);
    let by = y + (ROW - BAR) / 2.0;
    let state = match (r.ok, r.finished_at) {
        (Some(true), _) => "ok",
        (Some(false), _) => "failed",
        (None, _) if r.dry_run => "dry run",
        (None, Some(_)) => "ended",
        (None, None) => "unfinished",
    };
    let style = match state {
        "failed" => format!(" stroke=\"{FAILED}\" stroke-width=\"2\""),
        "unfinished" => " fill-opacity=\"0.45\" stroke=\"#555555\" stroke-dasharray=\"3,2\"".into(),
        "dry run" => " fill-opacity=\"0.6\"".into(),
        _ => String::new(),
    };
    let run_start = d.run.started_at;
    s.push_str(&format!(
        "<rect class=\"stage {stage}{cls}\" x=\"{x0:.1}\" y=\"{by}\" width=\"{w:.1}\" height=\"{BAR}\" fill=\"{}\"{style}><title>{}: {stage} {} \u{2192} {} ({}, {state})</title></rect>\n",
        colour(r.stage),
        escape(item),
        offset(run_start, start),
        r.finished_at.map_or_else(|| "\u{2026}".to_string(), |f| offset(run_start, f)),
        human_duration(seconds_between(start, finish)),
        stage = r.stage,
        cls = if state == "failed" { " failed" } else { "" },
    ));
    if state == "failed" {
        s.push_str(&format!(
            "<text class=\"failed-mark\" x=\"{:.1}\" y=\"{}\" fill=\"{FAILED}\" font-weight=\"bold\">\u{2715}</text>\n",
            x0 + w + 2.0,
            y + ROW - 4.0
        ));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::report::tests::{plan, run};

    /// A small well-formedness check of XML: every tag closes in order, one root,
    /// attributes quoted, `<` and `&` only as markup or entities.
    pub(crate) fn well_formed(xml: &str) -> Result<(), String> {
        fn entity_ok(rest: &str) -> bool {
            let Some(end) = rest.find(';') else {
                return false;
            };
            let name = &rest[1..end];
            matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || name
                    .strip_prefix('#')
                    .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        }
        fn text_ok(t: &str) -> Result<(), String> {
            for (i, _) in t.match_indices('&') {
                if !entity_ok(&t[i..]) {
                    return Err(format!("bare & in {t:?}"));
                }
            }
            Ok(())
        }
        let mut stack: Vec<String> = Vec::new();
        let mut roots = 0;
        let mut rest = xml;
        if let Some(r) = rest.strip_prefix("<?xml") {
            rest = &r[r.find("?>").ok_or("unclosed declaration")? + 2..];
        }
        while let Some(lt) = rest.find('<') {
            text_ok(&rest[..lt])?;
            if stack.is_empty() && !rest[..lt].trim().is_empty() {
                return Err("text outside the root".into());
            }
            rest = &rest[lt + 1..];
            let gt = rest.find('>').ok_or("unclosed tag")?;
            let tag = &rest[..gt];
            rest = &rest[gt + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                match stack.pop() {
                    Some(open) if open == name.trim() => {}
                    other => return Err(format!("</{name}> closes {other:?}")),
                }
                continue;
            }
            let selfclosing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name: String = body.chars().take_while(|c| !c.is_whitespace()).collect();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_:".contains(c))
            {
                return Err(format!("bad tag name in <{tag}>"));
            }
            let mut attrs = body[name.len()..].trim();
            while !attrs.is_empty() {
                let eq = attrs
                    .find('=')
                    .ok_or(format!("attribute without value: {attrs}"))?;
                let after = &attrs[eq + 1..];
                let q = after.chars().next().ok_or("empty attribute")?;
                if q != '"' && q != '\'' {
                    return Err(format!("unquoted attribute in <{tag}>"));
                }
                let close = after[1..].find(q).ok_or("unclosed attribute")?;
                let value = &after[1..1 + close];
                if value.contains('<') {
                    return Err(format!("< in attribute of <{tag}>"));
                }
                text_ok(value)?;
                attrs = after[close + 2..].trim_start();
            }
            if stack.is_empty() {
                roots += 1;
            }
            if !selfclosing {
                stack.push(name);
            }
        }
        if !stack.is_empty() {
            return Err(format!("unclosed: {stack:?}"));
        }
        if !rest.trim().is_empty() {
            return Err("text after the root".into());
        }
        if roots != 1 {
            return Err(format!("{roots} roots"));
        }
        Ok(())
    }

    fn rendered(r: &failback_core::orchestrator::RunReport) -> String {
        let p = plan();
        render(&Drill {
            bound: None,
            cutover_bounds: &[],
            http: None,
            plan: &p,
            run: r,
            findings: &p.findings,
        })
    }

    #[test]
    fn the_checker_catches_broken_xml() {
        assert!(well_formed("<a><b/></a>").is_ok());
        assert!(well_formed("<a><b></a>").is_err());
        assert!(well_formed("<a>x & y</a>").is_err());
        assert!(well_formed("<a t=x/>").is_err());
        assert!(well_formed("<a/><b/>").is_err());
    }

    #[test]
    fn well_formed_with_hostile_names() {
        let mut r = run();
        r.items[0].item = "web<01>&\"'".into();
        r.run_id = "run & <x>".into();
        let svg = rendered(&r);
        well_formed(&svg).unwrap();
        assert!(svg.contains("data-item=\"web&lt;01&gt;&amp;&quot;&apos;\""));
    }

    #[test]
    fn one_row_per_item_with_bars_per_stage() {
        let svg = rendered(&run());
        assert_eq!(svg.matches("<g class=\"row\"").count(), 4);
        assert_eq!(svg.matches("class=\"stage reprotect\"").count(), 4);
        assert_eq!(svg.matches("class=\"stage failover").count(), 4);
        assert_eq!(svg.matches("class=\"stage failover failed\"").count(), 1);
        assert_eq!(svg.matches("class=\"failed-mark\"").count(), 1);
        assert!(svg.contains("class=\"legend\""));
        assert!(svg.contains(">1h</text>"), "axis labels missing");
        assert!(svg.contains(">1h 30m</text>"), "axis labels missing");
    }

    #[test]
    fn rows_are_capped_with_a_note() {
        let mut r = run();
        let one = r.items[1].clone();
        r.items = (0..MAX_ROWS + 25)
            .map(|n| {
                let mut i = one.clone();
                i.item = format!("vm-{n:04}");
                i
            })
            .collect();
        let svg = rendered(&r);
        well_formed(&svg).unwrap();
        assert_eq!(svg.matches("<g class=\"row\"").count(), MAX_ROWS);
        assert!(svg.contains("and 25 more items not drawn"));
    }

    #[test]
    fn unfinished_stage_is_dashed_to_the_end() {
        let mut r = run();
        r.items[3].stages[1].finished_at = None;
        r.items[3].stages[1].ok = None;
        r.items[3].status = failback_core::orchestrator::ItemStatus::Pending;
        let svg = rendered(&r);
        well_formed(&svg).unwrap();
        assert!(svg.contains("unfinished)</title>"));
    }

    #[test]
    fn ticks_stay_few() {
        for span in [1, 59, 600, 3600, 7 * 3600, 3 * 86_400, 40 * 86_400] {
            let step = tick_step(span);
            assert!(span / step <= 10, "span {span} step {step}");
        }
    }
}
