//! Progress of a run on the terminal: an overall bar (items ended of all items) and a bar
//! per stage (items through that stage of those planned for it), fed by the
//! orchestrator's events. Hidden when stdout is not a terminal or with `--quiet`.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::Duration;

use failback_core::events::Event;
use failback_core::request::Stage;
use failback_core::Plan;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::task::JoinHandle;

/// Whether bars are drawn: stdout is a terminal and `--quiet` was not given.
pub fn visible(quiet: bool) -> bool {
    !quiet && std::io::stdout().is_terminal()
}

#[derive(Debug, Default)]
struct StageCounts {
    running: u64,
    failed: u64,
}

/// The bars of one run.
#[derive(Debug)]
pub struct Progress {
    multi: MultiProgress,
    overall: ProgressBar,
    stages: Vec<(Stage, ProgressBar, StageCounts)>,
    /// Stages left per item before it is done.
    left: HashMap<String, usize>,
    failed: u64,
    retries: u64,
    findings: u64,
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Progress {
    /// Bars for `plan`, drawn on stderr when `visible`.
    pub fn new(plan: &Plan, visible: bool) -> Progress {
        let multi = MultiProgress::with_draw_target(if visible {
            ProgressDrawTarget::stderr_with_hz(10)
        } else {
            ProgressDrawTarget::hidden()
        });
        let mut left = HashMap::new();
        let mut planned: HashMap<Stage, u64> = HashMap::new();
        for u in &plan.units {
            for it in &u.items {
                left.insert(it.item.clone(), it.stages.len());
                for s in &it.stages {
                    *planned.entry(s.stage).or_default() += 1;
                }
            }
        }
        let overall = multi.add(ProgressBar::new(plan.summary.items as u64));
        overall.set_style(style(
            "{prefix:>18} [{bar:30}] {pos}/{len} items ended {msg} ({elapsed})",
        ));
        overall.set_prefix("all items");
        overall.enable_steady_tick(Duration::from_millis(200));
        let stages = Stage::ALL
            .into_iter()
            .filter_map(|s| {
                let n = planned.get(&s).copied()?;
                let bar = multi.add(ProgressBar::new(n));
                bar.set_style(style("{prefix:>18} [{bar:30}] {pos}/{len} {msg}"));
                bar.set_prefix(s.to_string());
                Some((s, bar, StageCounts::default()))
            })
            .collect();
        Progress {
            multi,
            overall,
            stages,
            left,
            failed: 0,
            retries: 0,
            findings: 0,
        }
    }

    /// Follow `events` until the run ends or the sender goes away.
    pub fn follow(mut self, mut events: broadcast::Receiver<Event>) -> JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(Event::RunFinished { .. }) => {
                        break;
                    }
                    Ok(e) => self.on(&e),
                    // Missed events only make the bars late; the report is exact.
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                }
            }
            self.finish();
        })
    }

    fn stage(&mut self, s: Stage) -> Option<&mut (Stage, ProgressBar, StageCounts)> {
        self.stages.iter_mut().find(|(x, _, _)| *x == s)
    }

    fn overall_message(&self) {
        let mut parts = Vec::new();
        if self.failed > 0 {
            parts.push(format!("{} failed", self.failed));
        }
        if self.retries > 0 {
            parts.push(format!("{} retries", self.retries));
        }
        if self.findings > 0 {
            parts.push(format!("{} findings", self.findings));
        }
        self.overall.set_message(parts.join(", "));
    }

    fn on(&mut self, e: &Event) {
        match e {
            Event::RunStarted {
                resumed, dry_run, ..
            } => {
                let what = match (resumed, dry_run) {
                    (true, true) => "resumed dry run",
                    (true, false) => "resumed",
                    (false, true) => "dry run",
                    (false, false) => "",
                };
                if !what.is_empty() {
                    self.overall.set_prefix(format!("all items ({what})"));
                }
            }
            Event::StageStarted { items, stage, .. } => {
                if let Some((_, bar, c)) = self.stage(*stage) {
                    c.running += items.len() as u64;
                    stage_message(bar, c);
                }
            }
            Event::StageFinished {
                items, stage, ok, ..
            } => {
                let n = items.len() as u64;
                if let Some((_, bar, c)) = self.stage(*stage) {
                    c.running = c.running.saturating_sub(n);
                    if !ok {
                        c.failed += n;
                    }
                    bar.inc(n);
                    stage_message(bar, c);
                }
                if *ok {
                    for it in items {
                        if let Some(left) = self.left.get_mut(it) {
                            *left = left.saturating_sub(1);
                            if *left == 0 {
                                self.overall.inc(1);
                            }
                        }
                    }
                }
            }
            Event::ItemFailed { item, .. } => {
                self.left.remove(item);
                self.failed += 1;
                self.overall.inc(1);
                self.overall_message();
            }
            Event::Retry { .. } => {
                self.retries += 1;
                self.overall_message();
            }
            Event::Finding(_) => {
                self.findings += 1;
                self.overall_message();
            }
            Event::Warning { message } => {
                let _ = self.multi.println(format!("warning: {message}"));
            }
            _ => {}
        }
    }

    fn finish(self) {
        for (_, bar, _) in &self.stages {
            bar.abandon();
        }
        self.overall.abandon();
    }
}

fn stage_message(bar: &ProgressBar, c: &StageCounts) {
    let mut parts = vec![format!("{} running", c.running)];
    if c.failed > 0 {
        parts.push(format!("{} failed", c.failed));
    }
    bar.set_message(parts.join(", "));
}
