//! `failback drill`, `resume` and `run` end to end: the binary against the in-memory lab
//! site, its exit codes, the report files and the run journal.

// Test helpers outside #[test] functions may panic on a broken fixture too.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_failback");
/// Simulated seconds per real second: hours of lab jobs in well under a second.
/// The scaled clock's speed in the one test that uses it: the others run on discrete-event
/// time, whose figures cannot depend on the machine's load (at 100,000 times real time a
/// quarter second of a loaded machine is seven simulated hours, past a stage deadline).
const FAST: &str = "20000";

fn example(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("examples")
        .join(rel)
}

/// An empty folder for one test's output.
fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("failback-drill-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn drill(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "drill".to_string(),
        "--out".to_string(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    Command::new(BIN).args(&args).output().unwrap()
}

fn report_json(out: &Path) -> serde_json::Value {
    let t = std::fs::read_to_string(out.join("drill-report.json")).unwrap();
    serde_json::from_str(&t).unwrap()
}

fn items(v: &serde_json::Value) -> &Vec<serde_json::Value> {
    v["run"]["items"].as_array().unwrap()
}

#[test]
fn drill_of_50_generated_items_is_done_with_every_file() {
    let out = out_dir("fifty");
    let o = drill(&out, &["--vms", "50", "--seed", "7"]);
    assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("50 done, 0 failed, 0 pending"), "{stdout}");
    for f in [
        "drill-report.md",
        "drill-report.json",
        "drill-timeline.svg",
        "failback.journal",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
        assert!(stdout.contains(f), "{f} not named in the summary: {stdout}");
    }
    let v = report_json(&out);
    assert_eq!(v["format"], "failback-drill-report/2");
    // The makespan against its lower bound, the phases, each application's downtime.
    let makespan = v["makespan_seconds"].as_u64().unwrap();
    let bound = v["lower_bound_seconds"].as_u64().unwrap();
    assert!(bound > 0 && bound <= makespan, "{makespan} {bound}");
    assert!(v["lower_bound_binding"].is_string());
    assert!(v["makespan_over_lower_bound"].as_f64().unwrap() >= 1.0);
    assert!(v["phases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["phase"] == "cutover"));
    let apps = v["applications"].as_array().unwrap();
    assert!(!apps.is_empty());
    assert!(
        apps.iter().all(|a| a["downtime_seconds"].is_u64()),
        "{apps:?}"
    );
    let items = items(&v);
    assert_eq!(items.len(), 50);
    for i in items {
        assert_eq!(i["status"]["status"], "done", "{i}");
        assert!(i["recovery_time_seconds"].is_u64(), "{i}");
    }
    let svg = std::fs::read_to_string(out.join("drill-timeline.svg")).unwrap();
    assert_eq!(svg.matches("<g class=\"row\"").count(), 50);
    assert!(svg.trim_end().ends_with("</svg>"));
    let md = std::fs::read_to_string(out.join("drill-report.md")).unwrap();
    for i in items {
        let id = i["item"].as_str().unwrap();
        assert!(
            md.contains(&format!("| {id} |")),
            "{id} not in the Markdown"
        );
    }
}

#[test]
fn json_summary_names_the_files() {
    let out = out_dir("json-summary");
    // On the scaled clock (the drill's other clock, for what talks over sockets).
    let o = drill(
        &out,
        &[
            "--vms",
            "5",
            "--seed",
            "2",
            "--format",
            "json",
            "--time-scale",
            FAST,
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["totals"]["done"], 5);
    assert!(v["files"]["journal"]
        .as_str()
        .unwrap()
        .ends_with("failback.journal"));
}

#[test]
fn a_second_drill_in_the_same_folder_sets_the_finished_journal_aside() {
    let out = out_dir("twice");
    assert_eq!(code(&drill(&out, &["--vms", "3", "--quiet"])), 0);
    let o = drill(&out, &["--vms", "3", "--quiet"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let journals = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".journal")
        })
        .count();
    assert_eq!(journals, 2);
}

#[test]
fn a_refused_estate_exits_2_with_the_readiness_report() {
    let out = out_dir("refused");
    let estate = example("estates/trips-policy.json");
    let o = drill(&out, &["--estate", estate.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("drill refused"), "{stdout}");
    assert!(stdout.contains("POL-002"), "{stdout}");
    assert!(!out.join("failback.journal").exists());
}

#[test]
fn an_estate_file_drills_too() {
    let out = out_dir("healthy");
    let estate = example("estates/healthy.json");
    let o = drill(&out, &["--estate", estate.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(items(&report_json(&out)).len(), 4);
}

#[test]
fn chaos_ends_every_item_done_or_failed_with_a_cause() {
    let out = out_dir("chaos");
    let o = drill(&out, &["--vms", "120", "--seed", "11", "--faults", "chaos"]);
    let c = code(&o);
    assert!(c == 0 || c == 3, "exit {c}: {}", text(&o.stderr));
    let v = report_json(&out);
    let mut failed = 0;
    for i in items(&v) {
        match i["status"]["status"].as_str().unwrap() {
            "done" => {}
            "failed" => {
                failed += 1;
                assert!(
                    !i["status"]["cause"].as_str().unwrap().is_empty(),
                    "no cause: {i}"
                );
                let id = i["item"].as_str().unwrap();
                let md = std::fs::read_to_string(out.join("drill-report.md")).unwrap();
                assert!(md.contains(&format!("**{id}**")), "{id} not among failures");
            }
            other => panic!("item ended {other}: {i}"),
        }
    }
    assert_eq!(c == 3, failed > 0, "exit {c} with {failed} failed");
}

#[test]
fn a_generated_modernized_estate_drills_through_its_appliance() {
    let out = out_dir("modernized");
    let o = drill(&out, &["--vms", "40", "--flavor", "modernized"]);
    assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
    let r = report_json(&out);
    assert_eq!(r["plan"]["flavor"], "modernized");
    assert_eq!(
        r["plan"]["summary"]["max_data_loss_seconds"], 0,
        "planned failovers"
    );
    assert_eq!(items(&r).len(), 40);
    // The flavour is not an option of a file's estate.
    let estate = example("estates/healthy.json");
    let o = drill(
        &out,
        &[
            "--estate",
            estate.to_str().unwrap(),
            "--flavor",
            "modernized",
        ],
    );
    assert_eq!(code(&o), 1, "{}", text(&o.stderr));
}

#[test]
fn bad_options_exit_1() {
    let out = out_dir("bad");
    assert_eq!(code(&run(&["drill"])), 1, "no estate source");
    assert_eq!(code(&drill(&out, &["--vms", "0"])), 1);
    assert_eq!(code(&drill(&out, &["--vms", "3", "--concurrency", "0"])), 1);
    let missing = out.join("nope.json");
    let o = drill(&out, &["--estate", missing.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(text(&o.stderr).contains("nope.json"));
}

#[test]
fn run_says_the_adapters_are_missing() {
    let o = run(&["run", example("estates/healthy.json").to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let err = text(&o.stderr);
    assert!(
        err.contains("failback-azure") && err.contains("failback-vsphere"),
        "{err}"
    );
}

#[test]
fn resume_without_a_lab_file_names_the_missing_adapters() {
    let out = out_dir("resume-real");
    let journal = out.join("failback.journal");
    std::fs::write(&journal, "").unwrap();
    let o = run(&["resume", journal.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let err = text(&o.stderr);
    assert!(
        err.contains("failback-azure") && err.contains("failback-vsphere"),
        "{err}"
    );
}

#[test]
fn resume_of_a_finished_drill_has_nothing_to_do_and_an_interrupted_one_stays_resumable() {
    let out = out_dir("resume-lab");
    let o = drill(&out, &["--vms", "3", "--seed", "4", "--quiet"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(out.join("failback.lab.json").is_file());
    let journal = out.join("failback.journal");
    let o = run(&["resume", journal.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("nothing to resume"));

    // An interrupted drill, then a new drill in the same folder: the interrupted journal
    // is set aside with its lab file, and resumes from there.
    std::fs::remove_file(&journal).unwrap();
    let o = Command::new(BIN)
        .args(["drill", "--vms", "3", "--seed", "4", "--quiet", "--out"])
        .arg(&out)
        .env("FAILBACK_CRASH_AT_RECORD", "6")
        .output()
        .unwrap();
    assert_eq!(code(&o), 9, "{}", text(&o.stderr));
    let o = drill(&out, &["--vms", "3", "--seed", "4", "--quiet"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("unfinished journal is now"));
    let aside = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("failback-run-") && n.ends_with(".journal")
        })
        .unwrap();
    assert!(aside.with_extension("lab.json").is_file());
    let o = run(&["resume", aside.to_str().unwrap(), "--quiet"]);
    assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
}

fn journal_records(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
}

/// Per item: how many times each operation took effect, from `lab-counters.json`.
fn per_item_counts(out: &Path) -> (serde_json::Value, serde_json::Value) {
    let t = std::fs::read_to_string(out.join("lab-counters.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&t).unwrap();
    (
        v["counters"]["per_item"].clone(),
        v["counters"]["violations"].clone(),
    )
}

/// A drill killed at its k-th journal record (early, mid, late) and resumed by another
/// process ends with every item done, each operation accepted once per item (as in an
/// uninterrupted drill), and no violation.
#[test]
fn a_drill_killed_at_record_k_resumes_in_another_process() {
    let args = ["--vms", "60", "--seed", "3", "--quiet"];
    let whole = out_dir("crash-whole");
    let o = drill(&whole, &args);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let records = journal_records(&whole.join("failback.journal"));
    assert!(records > 100, "{records}");
    let (expected, violations) = per_item_counts(&whole);
    assert_eq!(violations, serde_json::json!([]));
    let ops = [
        "reprotect",
        "failover",
        "commit",
        "reprotect_to_azure",
        "cancel",
    ];
    for (item, counts) in expected.as_object().unwrap() {
        for op in ops {
            assert!(counts[op].as_u64().unwrap() <= 1, "{item}: {counts}");
        }
    }
    assert_eq!(expected.as_object().unwrap().len(), 60);

    for k in [7, records / 3, records / 2, records - 5] {
        let out = out_dir(&format!("crash-{k}"));
        let mut cmd = Command::new(BIN);
        cmd.args(["drill", "--out"])
            .arg(&out)
            .args(args)
            .env("FAILBACK_CRASH_AT_RECORD", k.to_string());
        let o = cmd.output().unwrap();
        assert_eq!(code(&o), 9, "k={k}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains("simulated crash"), "k={k}");
        assert!(
            !out.join("drill-report.json").exists(),
            "k={k}: a crash writes no report"
        );
        assert!(out.join("failback.lab.json").is_file());
        assert!(journal_records(&out.join("failback.journal")) >= k - 1);

        let journal = out.join("failback.journal");
        let o = run(&[
            "resume",
            journal.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        assert_eq!(code(&o), 0, "k={k}: {}{}", text(&o.stdout), text(&o.stderr));
        let stdout = text(&o.stdout);
        assert!(
            stdout.contains("60 done, 0 failed, 0 pending"),
            "k={k}: {stdout}"
        );
        let v = report_json(&out);
        let items = items(&v);
        assert_eq!(items.len(), 60);
        for i in items {
            assert_eq!(i["status"]["status"], "done", "k={k}: {i}");
            assert!(i["recovery_time_seconds"].is_u64(), "k={k}: {i}");
        }
        let (got, violations) = per_item_counts(&out);
        assert_eq!(violations, serde_json::json!([]), "k={k}");
        assert_eq!(got, expected, "k={k}: an operation issued twice or missing");
        // Resumed again: finished, nothing to do.
        let o = run(&["resume", journal.to_str().unwrap()]);
        assert_eq!(code(&o), 0);
        assert!(text(&o.stdout).contains("nothing to resume"));
    }
}

#[test]
fn a_dry_run_starts_no_job() {
    let out = out_dir("dry-run");
    let o = drill(&out, &["--vms", "10", "--seed", "5", "--dry-run"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(text(&o.stdout).starts_with("dry-run drill"));
    let v = report_json(&out);
    assert_eq!(v["run"]["dry_run"], true);
    for i in items(&v) {
        for s in i["stages"].as_array().unwrap() {
            assert!(s["job"].is_null(), "a job in a dry run: {i}");
            assert_eq!(s["dry_run"], true);
        }
    }
    let md = std::fs::read_to_string(out.join("drill-report.md")).unwrap();
    assert!(md.contains("a **dry run**, nothing was mutated"));
}

/// Issue 6: without `--time-scale` the lab runs on discrete-event time, so the same seed
/// gives a byte-identical `drill-report.json` (the figures depend on the model, never on
/// the machine), and another seed another one.
#[test]
fn a_drill_on_virtual_time_is_the_same_for_the_same_seed() {
    let go = |name: &str, seed: &str| {
        let out = out_dir(name);
        let o = run(&[
            "drill",
            "--out",
            out.to_str().unwrap(),
            "--vms",
            "60",
            "--seed",
            seed,
            "--quiet",
        ]);
        assert_eq!(code(&o), 0, "{}", text(&o.stderr));
        std::fs::read(out.join("drill-report.json")).unwrap()
    };
    let a = go("virtual-a", "3");
    let b = go("virtual-b", "3");
    assert!(a == b, "two drills of seed 3 differ");
    let c = go("virtual-c", "4");
    assert!(a != c, "another seed, another drill");
}

/// A drill on virtual time killed from outside (SIGKILL, mid-run) resumes in another
/// process: every item done, each operation accepted once, no violation.
#[test]
fn a_drill_on_virtual_time_killed_from_outside_resumes() {
    let whole = out_dir("virtual-kill-whole");
    let o = run(&[
        "drill",
        "--out",
        whole.to_str().unwrap(),
        "--vms",
        "60",
        "--seed",
        "3",
        "--quiet",
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let (expected, _) = per_item_counts(&whole);
    let total = journal_records(&whole.join("failback.journal"));
    let mut killed = 0;
    for fraction in [5, 3, 2] {
        let out = out_dir(&format!("virtual-kill-{fraction}"));
        let mut child = Command::new(BIN)
            .args([
                "drill",
                "--out",
                out.to_str().unwrap(),
                "--vms",
                "60",
                "--seed",
                "3",
                "--quiet",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let journal = out.join("failback.journal");
        let target = total / fraction;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline
            && child.try_wait().unwrap().is_none()
            && (!journal.is_file() || journal_records(&journal) < target)
        {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        let _ = child.wait();
        let o = run(&[
            "resume",
            journal.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        let stdout = text(&o.stdout);
        assert!(
            code(&o) == 0
                && (stdout.contains("60 done, 0 failed, 0 pending")
                    || stdout.contains("nothing to resume")),
            "fraction {fraction}: {stdout}{}",
            text(&o.stderr)
        );
        let (got, violations) = per_item_counts(&out);
        assert_eq!(violations, serde_json::json!([]));
        assert_eq!(got, expected, "an operation issued twice or missing");
    }
    assert!(killed >= 1, "no drill was still running when killed");
}

/// SIGTERM (what `kill` and service managers send) stops a drill like Ctrl-C: it issues
/// nothing new, writes its report with the unfinished items pending, exits 3, and its
/// journal resumes to every item done with nothing issued twice.
#[test]
fn a_drill_sent_sigterm_writes_its_report_and_resumes() {
    let args = ["--vms", "60", "--seed", "3", "--quiet"];
    let whole = out_dir("term-whole");
    let o = drill(&whole, &args);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let (expected, _) = per_item_counts(&whole);
    let total = journal_records(&whole.join("failback.journal"));
    let out = out_dir("term");
    let mut child = Command::new(BIN)
        .args(["drill", "--out", out.to_str().unwrap()])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let journal = out.join("failback.journal");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline
        && child.try_wait().unwrap().is_none()
        && (!journal.is_file() || journal_records(&journal) < total / 3)
    {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the drill ended before it could be stopped"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let o = child.wait_with_output().unwrap();
    let stdout = text(&o.stdout);
    assert_eq!(code(&o), 3, "{stdout}{}", text(&o.stderr));
    assert!(stdout.contains("pending"), "{stdout}");
    assert!(out.join("drill-report.json").is_file(), "no report");
    let v = report_json(&out);
    assert!(items(&v).iter().any(|i| i["status"]["status"] == "pending"));

    let o = run(&[
        "resume",
        journal.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let stdout = text(&o.stdout);
    assert_eq!(code(&o), 0, "{stdout}{}", text(&o.stderr));
    assert!(stdout.contains("60 done, 0 failed, 0 pending"), "{stdout}");
    let (got, violations) = per_item_counts(&out);
    assert_eq!(violations, serde_json::json!([]));
    assert_eq!(got, expected, "an operation issued twice or missing");
}

/// A drill killed while its last record was being written, cut inside a multi-byte
/// character, resumes: the torn record is dropped with a warning, not "not valid UTF-8".
#[test]
fn a_journal_torn_inside_a_multibyte_character_resumes() {
    let out = out_dir("torn-utf8");
    let o = Command::new(BIN)
        .args(["drill", "--vms", "5", "--seed", "2", "--quiet", "--out"])
        .arg(&out)
        .env("FAILBACK_CRASH_AT_RECORD", "12")
        .output()
        .unwrap();
    assert_eq!(code(&o), 9, "{}", text(&o.stderr));
    let journal = out.join("failback.journal");
    // The start of a record whose text holds "é", cut between its two bytes.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&journal)
        .unwrap();
    std::io::Write::write_all(&mut f, b"00000000 {\"kind\":\"intent\",\"x\":\"caf\xc3").unwrap();
    drop(f);
    let o = run(&[
        "resume",
        journal.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let stdout = text(&o.stdout);
    assert_eq!(code(&o), 0, "{stdout}{}", text(&o.stderr));
    assert!(stdout.contains("5 done, 0 failed, 0 pending"), "{stdout}");
    assert!(
        stdout.contains("torn") || text(&o.stderr).contains("torn"),
        "{stdout}{}",
        text(&o.stderr)
    );
}

/// `resume` refuses a lab file of another run put beside the journal (another drill's,
/// another seed): it says which and why, exits 1, and leaves both labs as they were.
#[test]
fn resume_refuses_the_lab_file_of_another_run() {
    let crash = |name: &str, seed: &str| {
        let out = out_dir(name);
        let o = Command::new(BIN)
            .args(["drill", "--vms", "8", "--seed", seed, "--quiet", "--out"])
            .arg(&out)
            .env("FAILBACK_CRASH_AT_RECORD", "20")
            .output()
            .unwrap();
        assert_eq!(code(&o), 9, "{}", text(&o.stderr));
        out
    };
    let a = crash("other-lab-a", "4");
    let b = crash("other-lab-b", "5");
    // b's lab (snapshot and log) replaces a's.
    for f in ["failback.lab.json", "failback.lab.json.log"] {
        if b.join(f).is_file() {
            std::fs::copy(b.join(f), a.join(f)).unwrap();
        }
    }
    let before: Vec<Vec<u8>> = ["failback.lab.json", "failback.lab.json.log"]
        .iter()
        .map(|f| std::fs::read(a.join(f)).unwrap_or_default())
        .collect();
    let journal = a.join("failback.journal");
    let o = run(&["resume", journal.to_str().unwrap(), "--quiet"]);
    let err = text(&o.stderr);
    assert_eq!(code(&o), 1, "{}{err}", text(&o.stdout));
    assert!(err.contains("is not the lab of the run"), "{err}");
    assert!(err.contains("Nothing was done"), "{err}");
    let after: Vec<Vec<u8>> = ["failback.lab.json", "failback.lab.json.log"]
        .iter()
        .map(|f| std::fs::read(a.join(f)).unwrap_or_default())
        .collect();
    assert!(before == after, "the lab changed");
    assert!(!a.join("drill-report.json").exists());
    // Its own lab resumes as ever.
    let o = run(&[
        "resume",
        b.join("failback.journal").to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
}

/// Two processes on one run: while a drill runs, a resume of its journal and a second
/// drill into the same folder are refused (exit 1, naming the holder's process id) and do
/// nothing; the first drill ends with every operation accepted once.
#[test]
fn a_second_process_on_a_running_drill_is_refused() {
    let out = out_dir("two-processes");
    let mut child = Command::new(BIN)
        .args([
            "drill",
            "--out",
            out.to_str().unwrap(),
            "--vms",
            "200",
            "--seed",
            "1",
            "--quiet",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let journal = out.join("failback.journal");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline
        && child.try_wait().unwrap().is_none()
        && (!journal.is_file() || journal_records(&journal) < 20)
    {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let mut refused = 0;
    if child.try_wait().unwrap().is_none() {
        let pid = format!("process {}", child.id());
        let o = run(&["resume", journal.to_str().unwrap(), "--quiet"]);
        let still_running = child.try_wait().unwrap().is_none();
        if still_running || code(&o) == 1 {
            assert_eq!(code(&o), 1, "{}{}", text(&o.stdout), text(&o.stderr));
            let err = text(&o.stderr);
            assert!(err.contains(&pid) && err.contains("in use"), "{err}");
            refused += 1;
        }
        let o = drill(&out, &["--vms", "5", "--quiet"]);
        if child.try_wait().unwrap().is_none() || code(&o) == 1 {
            assert_eq!(code(&o), 1, "{}{}", text(&o.stdout), text(&o.stderr));
            assert!(text(&o.stderr).contains(&pid), "{}", text(&o.stderr));
            refused += 1;
        }
    }
    let status = child.wait().unwrap();
    assert!(
        refused >= 1,
        "the drill ended before a second process could try"
    );
    assert_eq!(status.code(), Some(0));
    // The first drill's journal is still in place, finished, and nothing ran twice.
    let r = report_json(&out);
    assert_eq!(items(&r).len(), 200);
    let (counts, violations) = per_item_counts(&out);
    assert_eq!(violations, serde_json::json!([]));
    for (item, ops) in counts.as_object().unwrap() {
        for (op, n) in ops.as_object().unwrap() {
            assert!(n.as_u64().unwrap() <= 1, "{item} {op}: {n}");
        }
    }
}

/// Each item's recovery time and data loss, by item.
fn figures(
    out: &Path,
) -> std::collections::BTreeMap<String, (serde_json::Value, serde_json::Value)> {
    items(&report_json(out))
        .iter()
        .map(|i| {
            (
                i["item"].as_str().unwrap().to_string(),
                (
                    i["recovery_time_seconds"].clone(),
                    i["data_loss_seconds"].clone(),
                ),
            )
        })
        .collect()
}

/// A drill killed early, midway and late, then resumed in another process, reports the
/// same recovery time and data loss for every item as the uninterrupted drill of the same
/// seed: the figures are the first observation journaled, not a resumed run's re-check
/// (which counted the time since the failover started: 14,440 s instead of 544 s).
#[test]
fn a_resumed_drill_reports_the_figures_of_an_uninterrupted_one() {
    let whole = out_dir("figures-whole");
    let o = drill(&whole, &["--vms", "60", "--seed", "3", "--quiet"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let expected = figures(&whole);
    assert!(expected.values().all(|(r, d)| r.is_u64() && d.is_u64()));
    let total = journal_records(&whole.join("failback.journal")) as u64;
    for k in [total / 4, total / 2, 3 * total / 4] {
        let out = out_dir(&format!("figures-{k}"));
        let o = Command::new(BIN)
            .args(["drill", "--vms", "60", "--seed", "3", "--quiet", "--out"])
            .arg(&out)
            .env("FAILBACK_CRASH_AT_RECORD", k.to_string())
            .output()
            .unwrap();
        assert_eq!(code(&o), 9, "k={k}: {}", text(&o.stderr));
        let journal = out.join("failback.journal");
        let o = run(&["resume", journal.to_str().unwrap(), "--quiet"]);
        assert_eq!(code(&o), 0, "k={k}: {}{}", text(&o.stdout), text(&o.stderr));
        let got = figures(&out);
        let differ: Vec<_> = expected
            .iter()
            .filter(|(item, f)| got.get(*item) != Some(f))
            .map(|(item, f)| (item, f, got.get(item)))
            .collect();
        assert!(differ.is_empty(), "k={k}: {differ:?}");
    }
}

/// The report is always producible from the journal: for a finished drill whose report
/// files are gone (a process stopped between the journal's `run_finished` and the files),
/// `failback report` writes them again, byte for byte; `resume` of a finished drill
/// writes them too, with the run's exit code (3 when items failed, not 0).
#[test]
fn failback_report_writes_a_finished_runs_report_from_its_journal_alone() {
    let out = out_dir("report-finished");
    let o = drill(&out, &["--vms", "60", "--seed", "3", "--quiet"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let files = ["drill-report.json", "drill-report.md", "drill-timeline.svg"];
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
    // Stopped before the report: no file.
    for f in files {
        std::fs::remove_file(out.join(f)).unwrap();
    }
    let journal = out.join("failback.journal");
    let o = run(&["report", journal.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
    assert!(text(&o.stdout).contains("60 done"), "{}", text(&o.stdout));
    for (f, want) in files.iter().zip(&before) {
        assert!(
            &std::fs::read(out.join(f)).unwrap() == want,
            "{f} rebuilt from the journal differs from the run's"
        );
    }

    // A drill with failed items: its resume says so with exit 3, its report rewritten.
    let chaos = out_dir("report-chaos");
    let o = drill(
        &chaos,
        &["--vms", "60", "--seed", "2", "--faults", "chaos", "--quiet"],
    );
    assert_eq!(code(&o), 3, "{}", text(&o.stderr));
    std::fs::remove_file(chaos.join("drill-report.json")).unwrap();
    let journal = chaos.join("failback.journal");
    let o = run(&["resume", journal.to_str().unwrap(), "--quiet"]);
    assert_eq!(code(&o), 3, "{}{}", text(&o.stdout), text(&o.stderr));
    assert!(text(&o.stdout).contains("nothing to resume"));
    let r = report_json(&chaos);
    assert!(r["totals"]["failed"].as_u64().unwrap() > 0);
    let o = run(&["report", journal.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code(&o), 3);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["exit_code"], 3);

    // No such journal: said so, exit 1.
    let o = run(&["report", out.join("nope.journal").to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(
        text(&o.stderr).contains("no such journal"),
        "{}",
        text(&o.stderr)
    );
    let o = run(&["resume", out.join("nope.journal").to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(
        text(&o.stderr).contains("no such journal"),
        "{}",
        text(&o.stderr)
    );
}

/// A drill killed from outside at many moments always leaves a journal that
/// `failback report` reports (exit 3 while items are pending, the run's own code once
/// finished), and that `resume` then finishes.
#[test]
fn a_drill_killed_anywhere_can_be_reported_then_resumed() {
    let whole = out_dir("report-kill-whole");
    let o = drill(&whole, &["--vms", "60", "--seed", "5", "--quiet"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let total = journal_records(&whole.join("failback.journal"));
    let mut reported_interrupted = 0;
    for (n, fraction) in [10, 4, 2, 1].into_iter().enumerate() {
        let out = out_dir(&format!("report-kill-{n}"));
        let mut child = Command::new(BIN)
            .args(["drill", "--vms", "60", "--seed", "5", "--quiet", "--out"])
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let journal = out.join("failback.journal");
        // The last one waits for the whole journal: killed (or not) around the report.
        let target = total / fraction;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline
            && child.try_wait().unwrap().is_none()
            && (!journal.is_file() || journal_records(&journal) < target)
        {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let _ = child.kill();
        let _ = child.wait();
        let o = run(&["report", journal.to_str().unwrap(), "--format", "json"]);
        let c = code(&o);
        assert!(
            c == 0 || c == 3,
            "{c}: {}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
        assert_eq!(items(&report_json(&out)).len(), 60);
        if c == 3 {
            reported_interrupted += 1;
        }
        let o = run(&["resume", journal.to_str().unwrap(), "--quiet"]);
        assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
        assert_eq!(report_json(&out)["totals"]["done"], 60);
    }
    assert!(
        reported_interrupted >= 1,
        "no drill was killed before its end"
    );
}

/// A lab file that cannot be written (a full disk, a read-only folder: simulated, since
/// root writes anyway) stops the run: exit 1 naming the file, no item failed, the journal
/// resumable; the resume ends every item done with each operation taking effect once.
#[test]
fn a_lab_write_failure_stops_the_run_resumably_and_fails_no_item() {
    let whole = out_dir("lab-write-whole");
    let o = drill(&whole, &["--vms", "60", "--seed", "3", "--quiet"]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let (expected, _) = per_item_counts(&whole);
    for k in [50, 200, 400] {
        let out = out_dir(&format!("lab-write-{k}"));
        let o = Command::new(BIN)
            .args(["drill", "--vms", "60", "--seed", "3", "--quiet", "--out"])
            .arg(&out)
            .env("FAILBACK_LAB_WRITE_FAIL_AT", k.to_string())
            .output()
            .unwrap();
        assert_eq!(code(&o), 1, "k={k}: {}{}", text(&o.stdout), text(&o.stderr));
        let err = text(&o.stderr);
        assert!(
            err.contains("failback.lab.json") && err.contains("resumed"),
            "k={k}: {err}"
        );
        let journal = out.join("failback.journal");
        let j = std::fs::read_to_string(&journal).unwrap();
        assert!(!j.contains("\"item_failed\""), "k={k}: an item failed");
        assert!(!j.contains("\"run_finished\""), "k={k}: marked finished");
        let o = run(&["resume", journal.to_str().unwrap(), "--quiet"]);
        assert_eq!(code(&o), 0, "k={k}: {}{}", text(&o.stdout), text(&o.stderr));
        assert!(text(&o.stdout).contains("60 done, 0 failed, 0 pending"));
        let (got, violations) = per_item_counts(&out);
        assert_eq!(violations, serde_json::json!([]), "k={k}");
        assert_eq!(got, expected, "k={k}: an operation issued twice or missing");
    }
}

/// A tmpfs of `size` mounted on `dir` for one test, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(dir: &Path, size: &str) -> SmallDisk {
        let o = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "this test fills a real filesystem and needs to mount a small tmpfs \
             (root with CAP_SYS_ADMIN, as CI runs): {}",
            text(&o.stderr)
        );
        SmallDisk(dir.to_path_buf())
    }

    fn grow(&self, size: &str) {
        let o = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .output()
            .unwrap();
        assert!(o.status.success(), "remount: {}", text(&o.stderr));
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).output();
    }
}

/// The journal folder's filesystem fills up, from outside the process (a real full disk:
/// the kernel refuses the write, whichever file it is). Filled before the run's first
/// record, the drill says that nothing was done and to start again, and a new drill on
/// the freed disk runs. Filled during the run, the drill stops with exit 1 naming the
/// file it could not write and how to resume; no item failed and the run is not marked
/// finished; once the disk has room, `failback resume` ends every item done with each
/// operation taken once, and no rule broken. (A folder made read-only under a running
/// process does not stop its writes, and root ignores permissions: a full disk is how a
/// local write fails from outside while a run goes on.)
#[test]
fn a_full_disk_stops_the_run_resumably_and_fails_no_item() {
    let args = ["--vms", "60", "--seed", "3", "--quiet"];
    let whole = out_dir("full-whole");
    let o = drill(&whole, &args);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let (expected, _) = per_item_counts(&whole);
    let mut stopped = Vec::new();
    for size in ["100k", "240k", "400k", "560k"] {
        let out = out_dir(&format!("full-{size}"));
        let disk = SmallDisk::mount(&out, size);
        let o = drill(&out, &args);
        let err = text(&o.stderr);
        assert_eq!(code(&o), 1, "{size}: {}{err}", text(&o.stdout));
        assert!(err.contains("No space left on device"), "{size}: {err}");
        let journal = out.join("failback.journal");
        disk.grow("64m");
        if err.contains("cannot start the run") {
            assert!(err.contains("nothing was done"), "{size}: {err}");
            stopped.push(format!("{size}: before the run"));
            let o = drill(&out, &args);
            assert_eq!(code(&o), 0, "{size}: {}", text(&o.stderr));
        } else {
            assert!(err.contains("can be resumed"), "{size}: {err}");
            let file = if err.contains("failback.journal") {
                "journal"
            } else {
                assert!(err.contains("failback.lab.json"), "{size}: {err}");
                "lab file"
            };
            stopped.push(format!("{size}: during the run, by the {file}"));
            let j = std::fs::read_to_string(&journal).unwrap();
            assert!(!j.contains("\"item_failed\""), "{size}: an item failed");
            assert!(!j.contains("\"run_finished\""), "{size}: marked finished");
            let o = run(&["resume", journal.to_str().unwrap(), "--quiet"]);
            assert_eq!(
                code(&o),
                0,
                "{size}: {}{}",
                text(&o.stdout),
                text(&o.stderr)
            );
        }
        let (got, violations) = per_item_counts(&out);
        assert_eq!(violations, serde_json::json!([]), "{size}");
        assert_eq!(
            got, expected,
            "{size}: an operation issued twice or missing"
        );
        drop(disk);
    }
    println!("stopped: {stopped:#?}");
    assert!(
        stopped.iter().filter(|s| s.contains("during")).count() >= 2,
        "the disk filled during the run too rarely: {stopped:#?}"
    );
}

/// `failback ARGS` as a user whom permissions bind: `nobody` through `setpriv` when the
/// tests run as root (root writes into read-only folders), the current user otherwise.
fn run_unprivileged(args: &[&str]) -> Output {
    let uid = Command::new("id").arg("-u").output().unwrap();
    if text(&uid.stdout).trim() == "0" {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN])
            .args(args)
            .output()
            .unwrap()
    } else {
        run(args)
    }
}

fn chmod(mode: &str, path: &Path) {
    let o = Command::new("chmod")
        .args(["-R", mode])
        .arg(path)
        .output()
        .unwrap();
    assert!(o.status.success(), "chmod: {}", text(&o.stderr));
}

/// An interrupted run whose journal folder is read-only: the resume stops before it does
/// anything, exit 1 naming the file it could not open for writing; the journal and the lab
/// file are byte for byte as they were, and once the folder is writable again a resume
/// ends every item done with each operation taken once.
#[test]
fn a_read_only_journal_folder_stops_the_resume_and_loses_nothing() {
    let args = ["--vms", "60", "--seed", "3", "--quiet"];
    let whole = out_dir("ro-whole");
    let o = drill(&whole, &args);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let (expected, _) = per_item_counts(&whole);
    let out = out_dir("ro-run");
    // Reachable by the unprivileged user on its way to the folder.
    let mut up = out.parent();
    while let Some(p) = up {
        let _ = Command::new("chmod").arg("o+x").arg(p).output();
        up = p.parent();
    }
    let o = Command::new(BIN)
        .args(["drill", "--out"])
        .arg(&out)
        .args(args)
        .env("FAILBACK_CRASH_AT_RECORD", "400")
        .output()
        .unwrap();
    assert_eq!(code(&o), 9, "{}", text(&o.stderr));
    let journal = out.join("failback.journal");
    let lab = out.join("failback.lab.json");
    let before = (
        std::fs::read(&journal).unwrap(),
        std::fs::read(&lab).unwrap(),
    );
    chmod("a-w,a+rX", &out);
    let o = run_unprivileged(&["resume", journal.to_str().unwrap(), "--quiet"]);
    chmod("u+w", &out);
    let err = text(&o.stderr);
    assert_eq!(code(&o), 1, "{}{err}", text(&o.stdout));
    assert!(
        err.contains("Permission denied") && err.contains(out.to_str().unwrap()),
        "{err}"
    );
    let after = (
        std::fs::read(&journal).unwrap(),
        std::fs::read(&lab).unwrap(),
    );
    assert!(
        before == after,
        "the refused resume changed the journal or the lab file"
    );
    let j = String::from_utf8_lossy(&after.0);
    assert!(!j.contains("\"item_failed\"") && !j.contains("\"run_finished\""));
    let o = run(&["resume", journal.to_str().unwrap(), "--quiet"]);
    assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
    assert!(text(&o.stdout).contains("60 done, 0 failed, 0 pending"));
    let (got, violations) = per_item_counts(&out);
    assert_eq!(violations, serde_json::json!([]));
    assert_eq!(got, expected, "an operation issued twice or missing");
}

/// Every item of `out`'s report is done: failed over, committed and reprotected to Azure
/// (reprotected to on-premises first, unless the estate had it replicating back already).
fn assert_all_committed_and_reprotected(out: &Path) {
    let v = report_json(out);
    for it in items(&v) {
        assert_eq!(it["status"]["status"], "done", "{it}");
        let stages: Vec<&str> = it["stages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["ok"] == true)
            .map(|s| s["stage"].as_str().unwrap())
            .collect();
        for stage in ["failover", "commit", "reprotect_to_azure"] {
            assert!(
                stages.contains(&stage),
                "{} lacks {stage}: {it}",
                it["item"]
            );
        }
    }
}

#[test]
fn a_drill_of_200_items_over_http_commits_and_reprotects_every_item() {
    let out = out_dir("over-http-200");
    let o = drill(&out, &["--vms", "200", "--over-http", "--quiet"]);
    let stdout = text(&o.stdout);
    assert_eq!(code(&o), 0, "{stdout}{}", text(&o.stderr));
    assert!(stdout.contains("200 done, 0 failed, 0 pending"), "{stdout}");
    assert_all_committed_and_reprotected(&out);
    // The requests went over HTTP through the adapter, counted per item in the report.
    let v = report_json(&out);
    let http = &v["http_requests"];
    assert_eq!(http["items"], 200, "{http}");
    let per_item = http["per_item"].as_f64().unwrap();
    // At least the three mutations every item needs (failover, commit, reprotect), and polls.
    assert!(http["post"].as_u64().unwrap() >= 600, "{http}");
    assert!(per_item > 4.0, "{http}");
    let md = std::fs::read_to_string(out.join("drill-report.md")).unwrap();
    assert!(
        md.contains("| HTTP requests (over Azure Site Recovery REST"),
        "{md}"
    );
    assert!(md.contains(&format!("**{per_item:.1} per item**")), "{md}");
    // The manifest says the drill went over HTTP, so its resume would too.
    let manifest = std::fs::read_to_string(out.join("failback.drill.json")).unwrap();
    assert!(manifest.contains("\"over_http\": true"), "{manifest}");
    // The bearer token the adapter sent appears in no file the drill wrote, nor in what
    // it printed.
    let token = "failback-sim-token";
    assert!(!stdout.contains(token) && !text(&o.stderr).contains(token));
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(token),
            "{} holds the bearer token",
            path.display()
        );
    }
}

#[test]
fn a_drill_over_http_killed_midway_resumes_over_http_without_repeating_a_step() {
    let out = out_dir("over-http-crash");
    let o = Command::new(BIN)
        .args([
            "drill",
            "--vms",
            "12",
            "--seed",
            "3",
            "--over-http",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .env("FAILBACK_CRASH_AT_RECORD", "60")
        .output()
        .unwrap();
    assert_eq!(code(&o), 9, "{}{}", text(&o.stdout), text(&o.stderr));
    let journal = out.join("failback.journal");
    let o = run(&["resume", journal.to_str().unwrap(), "--quiet"]);
    let stdout = text(&o.stdout);
    assert_eq!(code(&o), 0, "{stdout}{}", text(&o.stderr));
    assert!(
        stdout.contains("over HTTP:"),
        "the resume did not go over HTTP: {stdout}"
    );
    assert_all_committed_and_reprotected(&out);
    // Each operation took effect once per item, across the crash and the resume.
    let (per_item, violations) = per_item_counts(&out);
    assert_eq!(violations, serde_json::json!([]), "{violations}");
    for (item, counts) in per_item.as_object().unwrap() {
        for op in ["failover", "commit", "reprotect_to_azure"] {
            assert_eq!(counts[op], 1, "{item} {op}: {counts}");
        }
        assert!(
            counts["reprotect"].as_u64().unwrap() <= 1,
            "{item}: {counts}"
        );
    }
}

/// A drill over HTTP killed from outside (SIGKILL, at several moments) resumes over HTTP
/// in another process, which serves the restored lab on a new port: every item done, each
/// operation taking effect once, no violation.
#[test]
fn a_drill_over_http_killed_from_outside_resumes_over_http() {
    let mut killed = 0;
    for at in [20, 60, 110] {
        let out = out_dir(&format!("over-http-kill-{at}"));
        let mut child = Command::new(BIN)
            .args([
                "drill",
                "--vms",
                "12",
                "--seed",
                "3",
                "--over-http",
                "--quiet",
                "--out",
            ])
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let journal = out.join("failback.journal");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline
            && child.try_wait().unwrap().is_none()
            && (!journal.is_file() || journal_records(&journal) < at)
        {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        let _ = child.wait();
        let o = run(&["resume", journal.to_str().unwrap(), "--quiet"]);
        let stdout = text(&o.stdout);
        assert!(
            code(&o) == 0
                && (stdout.contains("12 done, 0 failed, 0 pending")
                    || stdout.contains("nothing to resume")),
            "killed at {at}: {stdout}{}",
            text(&o.stderr)
        );
        assert_all_committed_and_reprotected(&out);
        let (per_item, violations) = per_item_counts(&out);
        assert_eq!(violations, serde_json::json!([]), "{violations}");
        for (item, counts) in per_item.as_object().unwrap() {
            for op in ["failover", "commit", "reprotect_to_azure"] {
                assert_eq!(counts[op], 1, "killed at {at}: {item} {op}: {counts}");
            }
            assert!(
                counts["reprotect"].as_u64().unwrap() <= 1,
                "{item}: {counts}"
            );
        }
    }
    assert!(killed >= 2, "the drills ended before they were killed");
}
