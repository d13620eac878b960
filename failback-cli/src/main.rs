#![doc = include_str!("../README.md")]

mod discover;
mod drill;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use failback_core::plan::table;
use failback_core::rules::{catalog, Severity};
use failback_core::{assess, plan, Assessment, Estate, PlanOutcome, Request};

/// Exit code when every requested item is ready.
const READY: u8 = 0;
/// Exit code for bad input (unreadable or invalid estate or request).
const BAD_INPUT: u8 = 1;
/// Exit code when a blocker holds.
const BLOCKED: u8 = 2;
/// Exit code of a run (drill, resume) that ended with some item failed or not finished:
/// the report names each one and its cause.
const NOT_ALL_DONE: u8 = 3;
/// Exit code of a run that stopped where a person decides (every item done or held):
/// `failback resume --continue JOURNAL` goes on.
const HELD: u8 = 4;

/// Fail VMware VMs and physical servers back from Azure Site Recovery to on-premises
/// VMware: check every rule first, then plan.
#[derive(Parser, Debug)]
#[command(name = "failback", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A readable table.
    Table,
    /// JSON.
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List every rule of the catalog with its ID, severity and fix.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Check every rule against an estate; exit 0 when ready, 2 when a blocker holds, 1 on
    /// bad input.
    Assess {
        /// The estate document (JSON, failback-estate/1).
        estate: PathBuf,
        /// A request document (JSON, failback-request/1); default: every item, auto
        /// location, latest point.
        #[arg(long)]
        request: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Plan a failback: the inputs, stages and data loss per item, or the readiness report
    /// when a blocker holds (exit 2).
    Plan {
        /// The estate document.
        estate: PathBuf,
        /// A request document.
        #[arg(long)]
        request: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Fail back a whole estate against the in-memory lab site: assess, plan, run every
    /// stage with the run journal, then write the drill report (Markdown, JSON, SVG
    /// timeline). Exit 0 when every item is done, 3 when some failed or did not finish,
    /// 4 when it stopped where a person decides (a hold: `failback resume --continue`),
    /// 2 when a blocker refuses the plan, 1 on bad input.
    Drill(drill::DrillArgs),
    /// Fail back against the real Azure Site Recovery and vSphere: not available yet, the
    /// vSphere adapter's on-premises provider is not written (exit 1). Use `failback
    /// drill` meanwhile (`--over-http` for the Azure adapter's side).
    Run(drill::RunArgs),
    /// Continue an interrupted run from its journal. A drill's lab is restored from the
    /// lab file beside the journal (failback.lab.json) and the run goes on, re-attaching to
    /// its jobs; the report files are written as the drill does, with the drill's exit
    /// codes. A finished journal has nothing to run: its report is written again from the
    /// journal, with the run's exit code. A second process on a running run is refused
    /// (exit 1). A real run's journal (no lab file) needs the provider adapters, which do
    /// not exist yet (exit 1). Testing aid: FAILBACK_CRASH_AT_RECORD=k makes `failback
    /// drill` die at its k-th journal record with exit code 9, leaving a journal to resume.
    Resume(drill::ResumeArgs),
    /// Write the report files of a run (finished, interrupted or still running) from its
    /// journal alone, and exit with the run's code: 0 every item done, 3 some failed or
    /// not finished, 4 held where a person decides. No provider is called.
    Report(drill::ReportArgs),
    /// Discover an estate from live services and write it (an estate document) for
    /// `failback assess` and `failback plan`: `failback discover azure` reads a Recovery
    /// Services vault. Exit 0, or 1 with the error (bad input, authentication, the vault
    /// not found or unreachable).
    #[command(subcommand)]
    Discover(discover::Discover),
    /// Print the JSON Schema of a document kind.
    Schema {
        /// Which document.
        #[arg(value_enum, default_value_t = SchemaKind::Estate)]
        kind: SchemaKind,
    },
}

/// Documents with a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SchemaKind {
    /// The estate.
    Estate,
    /// The request.
    Request,
    /// The plan.
    Plan,
    /// The drill report (`drill-report.json`).
    Report,
}

fn main() -> ExitCode {
    // Usage errors exit 1 (bad input), not clap's 2, which means "a blocker holds" here.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { BAD_INPUT } else { READY });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(BAD_INPUT)
        }
    }
}

/// The estate and the request, with the request's text (to place errors found later).
fn load(
    estate: &PathBuf,
    request: &Option<PathBuf>,
) -> Result<(Estate, Request, String), failback_core::Error> {
    let e = Estate::from_path(estate)?;
    let (r, text) = load_request(request)?;
    Ok((e, r, text))
}

/// The request (the default one when no file is given) and its text.
pub(crate) fn load_request(
    request: &Option<PathBuf>,
) -> Result<(Request, String), failback_core::Error> {
    Ok(match request {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|source| failback_core::Error::Io {
                path: p.clone(),
                source,
            })?;
            (
                Request::from_json_str(&text).map_err(|e| e.in_file(p))?,
                text,
            )
        }
        None => (Request::default(), String::new()),
    })
}

fn run(cli: Cli) -> Result<u8, Box<dyn std::error::Error>> {
    match cli.command {
        Command::Drill(args) => drill::drill(args),
        Command::Run(args) => drill::run_real(args),
        Command::Resume(args) => drill::resume(args),
        Command::Report(args) => drill::report(args),
        Command::Discover(what) => discover::discover(what),
        Command::Rules { format } => {
            match format {
                Format::Json => println!("{}", to_json(&catalog().collect::<Vec<_>>())),
                Format::Table => {
                    let rows: Vec<Vec<String>> = catalog()
                        .map(|r| {
                            vec![
                                r.id.to_string(),
                                r.severity.to_string(),
                                r.scope.to_string(),
                                r.text.to_string(),
                            ]
                        })
                        .collect();
                    print!("{}", table(&["id", "severity", "scope", "rule"], &rows));
                }
            }
            Ok(READY)
        }
        Command::Assess {
            estate,
            request,
            format,
        } => {
            let (e, r, text) = load(&estate, &request)?;
            let report = assess(&e, &r).map_err(|err| err.placed_in("request", &text))?;
            match format {
                Format::Json => println!("{}", to_json(&report)),
                Format::Table => print!("{}", report_table(&report)),
            }
            Ok(if report.ready() { READY } else { BLOCKED })
        }
        Command::Plan {
            estate,
            request,
            format,
        } => {
            let (e, r, text) = load(&estate, &request)?;
            match plan(&e, &r).map_err(|err| err.placed_in("request", &text))? {
                PlanOutcome::Ready(p) => {
                    match format {
                        Format::Json => println!("{}", p.to_json_pretty()),
                        Format::Table => print!("{}", p.to_table()),
                    }
                    // A schedule blocker (a cutover fitting no window, rollback on the
                    // classic flavour) refuses the run as a rule blocker does.
                    Ok(if p.runnable() { READY } else { BLOCKED })
                }
                PlanOutcome::Refused(report) => {
                    match format {
                        Format::Json => println!(
                            "{}",
                            to_json(&serde_json::json!({"refused": true, "assessment": report}))
                        ),
                        Format::Table => {
                            println!("plan refused: a blocker holds\n");
                            print!("{}", report_table(&report));
                        }
                    }
                    Ok(BLOCKED)
                }
            }
        }
        Command::Schema { kind } => {
            let schema = match kind {
                SchemaKind::Estate => failback_core::schema::estate(),
                SchemaKind::Request => failback_core::schema::request(),
                SchemaKind::Plan => failback_core::schema::plan(),
                SchemaKind::Report => failback_drill::report::schema(),
            };
            println!("{}", to_json(&schema));
            Ok(READY)
        }
    }
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The readiness report as text: the verdict, each blocked item with its rules, then
/// every finding with its fix.
pub(crate) fn report_table(report: &Assessment) -> String {
    let mut out = String::new();
    let items = report.item_count();
    let blocked = report.blocked_count();
    out.push_str(&format!(
        "estate \"{}\" (captured {}): {items} items, {blocked} blocked: {}\n",
        report.estate.as_deref().unwrap_or("(unnamed)"),
        report.captured_at.to_rfc3339(),
        if report.ready() { "READY" } else { "BLOCKED" }
    ));
    if blocked > 0 {
        out.push_str("\nblocked items:\n");
        for u in &report.units {
            for it in &u.items {
                if it.blocked_by.is_empty() {
                    continue;
                }
                let rules: Vec<String> = it
                    .blocked_by
                    .iter()
                    .map(|b| format!("{} ({})", b.rule, b.subject))
                    .collect();
                out.push_str(&format!("  {}: {}\n", it.item, rules.join(", ")));
            }
        }
    }
    let mut findings: Vec<&failback_core::rules::Finding> = report.findings.iter().collect();
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule.cmp(&b.rule)));
    let shown: Vec<&&failback_core::rules::Finding> = findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .collect();
    let info = findings.len() - shown.len();
    if !shown.is_empty() {
        out.push_str("\nfindings:\n");
        for f in shown {
            out.push_str(&format!(
                "  {:<8} {:<8} {}{}\n      {}\n      fix: {}\n",
                f.severity.to_string(),
                f.rule.to_string(),
                f.subject,
                if f.unknown { " (unknown)" } else { "" },
                f.message,
                f.remediation
            ));
        }
    }
    if info > 0 {
        out.push_str(&format!(
            "\n{info} info findings (advice and location notes): see --format json\n"
        ));
    }
    out
}
