//! The run journal: an append-only file with one record per line, each fsync'd before the
//! run goes on. An intent is recorded before every remote mutation and the job id right
//! after it, so a resumed run re-attaches to jobs in flight instead of starting them again.
//!
//! Each line is `CRC32 JSON`: the CRC-32 (8 hex digits) of the JSON text, a space, then the
//! record. A damaged last record (a write torn by a crash) is dropped with a warning and
//! cut off before new records are appended; damage anywhere else is
//! [`Error::JournalCorrupt`]. Records hold ids, stages, job ids and times: never a
//! credential.
//!
//! ```
//! use failback_core::journal::{Entry, Journal, OpKey, FORMAT};
//! use failback_core::provider::Target;
//! use failback_core::request::Stage;
//! use failback_core::{plan, Estate, PlanOutcome, Request};
//!
//! let estate = Estate::from_json_str(include_str!("../../examples/estates/healthy.json"))?;
//! let PlanOutcome::Ready(plan) = plan(&estate, &Request::default())? else { unreachable!() };
//! let dir = std::env::temp_dir().join(format!("journal-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("run.journal");
//! # let _ = std::fs::remove_file(&path);
//! let mut j = Journal::create(&path)?;
//! let now = chrono::Utc::now();
//! j.append(&Entry::RunStarted {
//!     format: FORMAT.into(),
//!     run_id: "r1".into(),
//!     at: now,
//!     plan: Box::new(plan),
//!     settings: Default::default(),
//! })?;
//! let op = OpKey::new(Target::Item("web-01".into()), Stage::Reprotect);
//! j.append(&Entry::Intent { op, at: now })?;
//! drop(j);
//! let opened = Journal::open(&path)?;
//! assert_eq!(opened.entries.len(), 2);
//! assert!(opened.warning.is_none());
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), failback_core::Error>(())
//! ```

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::provider::{JobId, JobState, Target};
use crate::request::Stage;

/// The `format` of a journal, in its first record.
pub const FORMAT: &str = "failback-journal/1";

/// One operation of a run: a stage on a target. A run issues each at most once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OpKey {
    /// The item or recovery plan.
    pub target: Target,
    /// The stage.
    pub stage: Stage,
    /// The cancel of the stage's operation rather than the operation (`failoverCancel`
    /// of a failover: a rollback).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancel: bool,
}

impl OpKey {
    /// The operation of `stage` on `target`.
    pub fn new(target: Target, stage: Stage) -> OpKey {
        OpKey {
            target,
            stage,
            cancel: false,
        }
    }

    /// The cancel of the operation of `stage` on `target`.
    pub fn cancel_of(target: Target, stage: Stage) -> OpKey {
        OpKey {
            target,
            stage,
            cancel: true,
        }
    }
}

/// A stop where a person decides: after a phase (the request's `hold_after`, the `hold`
/// commit policy, a verification that failed on a flavour that cannot roll back, no
/// cutover window left), or on a recovery plan's manual action.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct HoldKey {
    /// The application held.
    pub application: String,
    /// The phase it stopped after (for a manual action: the cutover).
    pub phase: crate::runbook::Phase,
    /// The manual action, for a hold on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub action: Option<String>,
}

impl std::fmt::Display for HoldKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.action {
            Some(a) => write!(f, "{}: manual action {a}", self.application),
            None => write!(f, "{}: after {}", self.application, self.phase),
        }
    }
}

/// What the orchestrator verified before a commit or after a failover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// The item's on-prem VM was seen running (invariant 1).
    OnPremVmRunning,
    /// The item's Azure VM was seen shut down (FO-003).
    AzureVmShutDown,
    /// The recovery point is within the RPO threshold, or the request accepted it
    /// (invariant 2).
    RecoveryPointFresh,
    /// Reprotect completed: the item replicates Azure to on-prem (invariant 2, FO-001).
    ReprotectCompleted,
    /// The failover to on-prem succeeded (invariant 1, FO-004), before a commit.
    FailoverSucceeded,
    /// The verify gate: the VM runs, its guest answers, the request's checks pass.
    ApplicationVerified,
}

/// A job error as a journal holds it: the typed error, or the text of an older journal.
fn job_error_or_text<'de, D>(d: D) -> std::result::Result<Option<crate::error::JobError>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Typed(crate::error::JobError),
        Text(String),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        Some(Either::Typed(e)) => Some(e),
        Some(Either::Text(t)) => Some(crate::error::JobError::message(t)),
        None => None,
    })
}

/// A figure a check measured for one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    /// The member (item id).
    pub item: String,
    /// The figure, in seconds.
    pub seconds: u64,
    /// What the check found besides (the after-failback findings, OPS-002 and OPS-003,
    /// of the VM seen running).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<crate::rules::Finding>,
}

/// One record of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Entry {
    /// The first record: the plan and the settings of the run.
    RunStarted {
        /// `failback-journal/1`.
        format: String,
        /// Run id.
        run_id: String,
        /// When.
        at: DateTime<Utc>,
        /// The plan being run.
        plan: Box<Plan>,
        /// The run's settings: a resume needs the journal alone (a journal of an older
        /// failback, whose settings lack a field, takes that field's default).
        settings: Box<crate::orchestrator::RunSettings>,
    },
    /// A mutation is about to be issued.
    Intent {
        /// Which.
        op: OpKey,
        /// When.
        at: DateTime<Utc>,
    },
    /// Its job exists: started now, or found again after a crash.
    JobStarted {
        /// Which operation.
        op: OpKey,
        /// The job.
        job: JobId,
        /// When.
        at: DateTime<Utc>,
        /// Found again (not started) after a resume.
        #[serde(default)]
        reattached: bool,
    },
    /// Its job ended.
    JobFinished {
        /// Which operation.
        op: OpKey,
        /// The job.
        job: JobId,
        /// How it ended.
        state: JobState,
        /// Why, when it failed: the provider's job error (a journal written before job
        /// errors were typed has its text as the message).
        #[serde(deserialize_with = "job_error_or_text")]
        error: Option<crate::error::JobError>,
        /// When.
        at: DateTime<Utc>,
    },
    /// A check the invariants require was made.
    Verified {
        /// The operation it guards or follows.
        op: OpKey,
        /// Which check.
        check: Check,
        /// Whether it held.
        ok: bool,
        /// Details for the report.
        detail: String,
        /// What the check measured, when it measures: the member and its figure in
        /// seconds (the data loss of the point chosen for [`Check::RecoveryPointFresh`],
        /// the recovery time for [`Check::OnPremVmRunning`]). A resumed run and the report
        /// take each member's first figure, never a later re-check's.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        figure: Option<Figure>,
        /// When.
        at: DateTime<Utc>,
    },
    /// An item ended in a failed state.
    ItemFailed {
        /// The item.
        item: String,
        /// The stage it failed in.
        stage: Stage,
        /// The cause.
        cause: String,
        /// What kind of failure (absent in an older journal).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kind: Option<crate::error::ErrorKind>,
        /// The provider's job error, for a failed job.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        job_error: Option<crate::error::JobError>,
        /// When.
        at: DateTime<Utc>,
    },
    /// An application stopped where a person decides.
    Held {
        /// Which stop.
        hold: HoldKey,
        /// Why, for the report.
        reason: String,
        /// For a manual action, the suspended job that a release resumes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        job: Option<JobId>,
        /// When.
        at: DateTime<Utc>,
    },
    /// A person let a held application go on (`failback resume --continue`).
    Released {
        /// Which stop.
        hold: HoldKey,
        /// When.
        at: DateTime<Utc>,
    },
    /// A suspended job is about to be resumed (a mutation: recorded before the call).
    JobResumed {
        /// Which operation's job.
        op: OpKey,
        /// The job.
        job: JobId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The run warned (a stale point accepted, an Azure VM still running after its
    /// failover, a torn record dropped on resume, …): the report lists it.
    Warning {
        /// What.
        message: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// The run ended.
    RunFinished {
        /// When.
        at: DateTime<Utc>,
    },
}

/// An open journal, appending. It holds its run's [`RunLock`] until dropped.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    records: u64,
    fail_at: Option<u64>,
    /// The length to cut the file to before the first append: the end of its last good
    /// record, when a torn tail follows it. Cut only when the run writes again, so that a
    /// command that fails before (a refused resume) leaves the file as it found it.
    cut_to: Option<u64>,
    _lock: RunLock,
}

/// The lock file of a journal: `run.journal` has `run.journal.lock` beside it.
pub fn lock_file(journal: &Path) -> PathBuf {
    let mut name = journal.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    journal.with_file_name(name)
}

/// An exclusive lock on one run: held by the one process that runs or resumes it, so that
/// a second process on the same run (a resume while the drill runs, two resumes) is
/// refused instead of issuing the run's operations twice.
///
/// It is an advisory lock (`flock` on Unix, `LockFileEx` on Windows) on the journal's
/// [`lock_file`], taken before the journal is created or read and released when the
/// lock is dropped or its process ends in any way (a `kill -9` included: the system
/// releases it). The lock file names its holder (process id, host, command, since when)
/// for the refusal message; it is left in place when released (removing it would let two
/// processes lock two different files).
#[derive(Debug)]
pub struct RunLock {
    file: File,
    path: PathBuf,
}

impl RunLock {
    /// Take the lock of the run of `journal`, or fail with [`Error::RunLocked`] naming the
    /// process that holds it.
    pub fn acquire(journal: &Path) -> Result<RunLock> {
        let path = lock_file(journal);
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(Error::RunLocked {
                    journal: journal.to_path_buf(),
                    holder: if holder.is_empty() {
                        "another process (it has not named itself yet)".to_string()
                    } else {
                        holder.to_string()
                    },
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let command: Vec<String> = std::env::args().collect();
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| {
                std::fs::read_to_string("/etc/hostname")
                    .ok()
                    .map(|h| h.trim().to_string())
            })
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "this host".to_string());
        let me = format!(
            "process {} on {host} (`{}`), since {}",
            std::process::id(),
            command.join(" "),
            Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(me.as_bytes()).map_err(io)?;
        file.sync_data().map_err(io)?;
        Ok(RunLock { file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // Released by closing the file too; unlocking first says it plainly.
        let _ = self.file.unlock();
    }
}

/// A journal read for a report ([`Journal::read`]).
#[derive(Debug, Clone)]
pub struct Records {
    /// Every good record, in order.
    pub entries: Vec<Entry>,
    /// Set when a torn last record was left out: what was left out.
    pub warning: Option<String>,
}

/// A journal read back for a resume.
#[derive(Debug)]
pub struct Opened {
    /// The journal, ready to append after the last good record.
    pub journal: Journal,
    /// Every good record, in order.
    pub entries: Vec<Entry>,
    /// Set when a torn last record was dropped: what was dropped.
    pub warning: Option<String>,
}

/// One line of a journal (without its line end) back into its record, checksum checked;
/// the error says what is wrong. [`Journal::open`] reads whole journals with it.
pub fn parse_record(line: &str) -> std::result::Result<Entry, String> {
    crate::records::decode(line.as_bytes())
}

/// The records of a journal's bytes: every good record, the end of the last one, and a
/// warning when a torn last record follows it. Damage anywhere else, a journal that does
/// not start with its run, and one with no complete record are errors.
fn parse_journal(path: &Path, bytes: &[u8]) -> Result<(Vec<Entry>, usize, Option<String>)> {
    let path = path.to_path_buf();
    let corrupt = |line: usize, message: String| Error::JournalCorrupt {
        path: path.clone(),
        line,
        message,
    };
    let mut entries = Vec::new();
    let mut good_end = 0usize;
    let mut warning = None;
    for line in crate::records::lines(bytes) {
        let parsed = crate::records::decode::<Entry>(line.bytes);
        match parsed {
            Ok(entry) if line.complete => {
                entries.push(entry);
                good_end = line.next;
            }
            Ok(_) | Err(_) if line.last => {
                let why = match parsed {
                    Ok(_) => "no line end".to_string(),
                    Err(e) => e,
                };
                warning = Some(format!(
                    "the last record (line {}, {} bytes) was torn ({why}) and is dropped",
                    line.number,
                    line.bytes.len()
                ));
            }
            Ok(_) => return Err(corrupt(line.number, "record without line end".into())),
            Err(e) => return Err(corrupt(line.number, e)),
        }
    }
    match entries.first() {
        Some(Entry::RunStarted { format, .. }) if format == FORMAT => {}
        Some(Entry::RunStarted { format, .. }) => {
            return Err(corrupt(1, format!("unsupported journal format {format:?}")))
        }
        Some(_) => return Err(corrupt(1, "the first record is not run_started".into())),
        None if bytes.is_empty() => {
            return Err(corrupt(1, "the journal is empty".into()));
        }
        None => {
            return Err(corrupt(
                1,
                format!(
                    "no complete record: {}",
                    warning.as_deref().unwrap_or("the first record is damaged")
                ),
            ));
        }
    }
    Ok((entries, good_end, warning))
}

impl Journal {
    /// Create a new journal, taking its run's [`RunLock`]; fails if the file exists (a
    /// run never overwrites one) or another process holds the lock.
    pub fn create(path: impl AsRef<Path>) -> Result<Journal> {
        let lock = RunLock::acquire(path.as_ref())?;
        Journal::create_locked(path, lock)
    }

    /// [`Journal::create`] with the run's lock already taken (by a caller that had to
    /// hold it before: to set an earlier journal aside, say).
    pub fn create_locked(path: impl AsRef<Path>, lock: RunLock) -> Result<Journal> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|source| Error::RunNotStarted {
                path: path.clone(),
                source,
            })?;
        Ok(Journal {
            path,
            file,
            records: 0,
            fail_at: None,
            cut_to: None,
            _lock: lock,
        })
    }

    /// Read a journal back and open it for appending, taking its run's [`RunLock`]. A
    /// damaged last record is dropped with a warning (and cut off the file before the
    /// first record is appended: never when nothing is); any other damage is an error, and
    /// so is a journal with no complete record (nothing is cut then either).
    pub fn open(path: impl AsRef<Path>) -> Result<Opened> {
        let lock = RunLock::acquire(path.as_ref())?;
        Journal::open_locked(path, lock)
    }

    /// [`Journal::open`] with the run's lock already taken.
    pub fn open_locked(path: impl AsRef<Path>, lock: RunLock) -> Result<Opened> {
        let path = path.as_ref().to_path_buf();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let (entries, good_end, warning) = parse_journal(&path, &bytes)?;
        file.seek(SeekFrom::Start(good_end as u64))
            .map_err(|source| Error::JournalWrite {
                path: path.clone(),
                source,
            })?;
        let records = entries.len() as u64;
        Ok(Opened {
            journal: Journal {
                path,
                file,
                records,
                fail_at: None,
                cut_to: (good_end < bytes.len()).then_some(good_end as u64),
                _lock: lock,
            },
            entries,
            warning,
        })
    }

    /// Read a journal without opening it for a run: no lock is taken and nothing is cut
    /// (a report of a run, while it runs or after). The same records and warning as
    /// [`Journal::open`].
    pub fn read(path: impl AsRef<Path>) -> Result<Records> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let (entries, _, warning) = parse_journal(path, &bytes)?;
        Ok(Records { entries, warning })
    }

    /// The journal's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records in the file so far (read back and appended).
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Append one record and fsync it. When this returns `Ok`, the record survives a crash.
    pub fn append(&mut self, entry: &Entry) -> Result<()> {
        self.write(entry)?;
        self.sync()
    }

    /// Write one record without waiting for the disk: it survives a killed process (the
    /// system holds it) but not a power loss until [`Journal::sync`] (or the next
    /// [`Journal::append`]). The orchestrator writes its records so and syncs before every
    /// remote mutation (group commit): an intent is always on disk before its call.
    pub fn write(&mut self, entry: &Entry) -> Result<()> {
        let json = serde_json::to_string(entry).map_err(|e| Error::JournalWrite {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        let line = format!("{} {json}\n", crate::records::checksum(&json));
        let io = |source| Error::JournalWrite {
            path: self.path.clone(),
            source,
        };
        if let Some(len) = self.cut_to.take() {
            // The torn tail goes only now that the run writes again.
            self.file.set_len(len).map_err(io)?;
            self.file.seek(SeekFrom::Start(len)).map_err(io)?;
            self.file.sync_all().map_err(io)?;
        }
        if self.fail_at == Some(self.records + 1) {
            // Crash simulation: half the record reaches the disk, then the process "dies".
            let half = &line.as_bytes()[..line.len() / 2];
            self.file.write_all(half).map_err(io)?;
            self.file.sync_data().map_err(io)?;
            return Err(io(std::io::Error::other(
                "simulated crash while writing the record",
            )));
        }
        self.file.write_all(line.as_bytes()).map_err(io)?;
        self.records += 1;
        Ok(())
    }

    /// Make every record written so far durable (fdatasync).
    pub fn sync(&self) -> Result<()> {
        self.file.sync_data().map_err(|source| Error::JournalWrite {
            path: self.path.clone(),
            source,
        })
    }

    /// A second handle on the journal's file, to sync it without holding the journal
    /// (a group commit's leader syncs while others write).
    pub fn sync_handle(&self) -> Result<File> {
        self.file.try_clone().map_err(|source| Error::JournalWrite {
            path: self.path.clone(),
            source,
        })
    }

    /// Test hook for crash tests: the `n`-th record of the file (1-based, counting records
    /// already there) is torn in half and `append` fails, as if the process died while
    /// writing it. Nothing after it is written by this handle.
    pub fn crash_at_record(&mut self, n: u64) {
        self.fail_at = Some(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("fb-journal-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("run.journal")
    }

    fn started() -> Entry {
        let estate =
            crate::Estate::from_json_str(include_str!("../../examples/estates/healthy.json"))
                .unwrap();
        let plan = match crate::plan(&estate, &crate::Request::default()).unwrap() {
            crate::PlanOutcome::Ready(p) => p,
            crate::PlanOutcome::Refused(_) => panic!("refused"),
        };
        Entry::RunStarted {
            format: FORMAT.into(),
            run_id: "r1".into(),
            at: Utc::now(),
            plan: Box::new(plan),
            settings: Default::default(),
        }
    }

    fn intent(i: usize) -> Entry {
        Entry::Intent {
            op: OpKey::new(Target::Item(format!("item-{i}")), Stage::Reprotect),
            at: Utc::now(),
        }
    }

    #[test]
    fn round_trip() {
        let p = tmp("round");
        let mut j = Journal::create(&p).unwrap();
        j.append(&started()).unwrap();
        for i in 0..5 {
            j.append(&intent(i)).unwrap();
        }
        drop(j);
        let o = Journal::open(&p).unwrap();
        assert_eq!(o.entries.len(), 6);
        assert!(o.warning.is_none());
        assert_eq!(o.entries[3], intent(2).clone_with_at(&o.entries[3]));
    }

    #[test]
    fn create_refuses_an_existing_journal() {
        let p = tmp("exists");
        Journal::create(&p).unwrap();
        assert!(matches!(
            Journal::create(&p),
            Err(Error::RunNotStarted { .. })
        ));
    }

    #[test]
    fn torn_last_record_is_dropped_with_a_warning_and_cut_off() {
        let p = tmp("torn");
        let mut j = Journal::create(&p).unwrap();
        j.append(&started()).unwrap();
        j.append(&intent(1)).unwrap();
        j.crash_at_record(3);
        assert!(j.append(&intent(2)).is_err());
        drop(j);
        let mut o = Journal::open(&p).unwrap();
        assert_eq!(o.entries.len(), 2);
        assert!(o.warning.as_deref().unwrap().contains("torn"));
        o.journal.append(&intent(3)).unwrap();
        drop(o);
        let o = Journal::open(&p).unwrap();
        assert_eq!(o.entries.len(), 3);
        assert!(o.warning.is_none());
    }

    #[test]
    fn a_torn_tail_is_cut_only_when_the_run_writes_again() {
        let p = tmp("cut-late");
        let mut j = Journal::create(&p).unwrap();
        j.append(&started()).unwrap();
        j.crash_at_record(2);
        assert!(j.append(&intent(1)).is_err());
        drop(j);
        let torn = std::fs::read(&p).unwrap();
        // Opened and dropped without a write (a refused resume): the file is untouched.
        let o = Journal::open(&p).unwrap();
        assert!(o.warning.is_some());
        drop(o);
        assert_eq!(std::fs::read(&p).unwrap(), torn);
    }

    #[test]
    fn a_journal_of_one_torn_record_is_an_error_and_is_not_emptied() {
        let p = tmp("only-torn");
        let mut j = Journal::create(&p).unwrap();
        j.crash_at_record(1);
        assert!(j.append(&started()).is_err());
        drop(j);
        let torn = std::fs::read(&p).unwrap();
        assert!(!torn.is_empty());
        match Journal::open(&p) {
            Err(Error::JournalCorrupt {
                line: 1, message, ..
            }) => {
                assert!(message.contains("no complete record"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::read(&p).unwrap(), torn, "nothing cut");
    }

    #[test]
    fn a_second_handle_on_a_run_is_refused_naming_the_holder() {
        let p = tmp("locked");
        let mut j = Journal::create(&p).unwrap();
        j.append(&started()).unwrap();
        // The same process opening it again gets a separate lock, refused as another
        // process's would be.
        match Journal::open(&p) {
            Err(Error::RunLocked { holder, .. }) => {
                assert!(
                    holder.contains(&format!("process {}", std::process::id())),
                    "{holder}"
                );
            }
            other => panic!("{other:?}"),
        }
        let err = Journal::open(&p).unwrap_err().to_string();
        assert!(err.contains("twice") && err.contains("resume"), "{err}");
        drop(j);
        // Released with its journal.
        let o = Journal::open(&p).unwrap();
        assert_eq!(o.entries.len(), 1);
        assert!(lock_file(&p).is_file());
    }

    #[test]
    fn damage_before_the_last_record_is_an_error() {
        let p = tmp("corrupt");
        let mut j = Journal::create(&p).unwrap();
        j.append(&started()).unwrap();
        j.append(&intent(1)).unwrap();
        j.append(&intent(2)).unwrap();
        drop(j);
        let text = std::fs::read_to_string(&p).unwrap();
        let damaged = text.replacen("item-1", "item-X", 1);
        std::fs::write(&p, damaged).unwrap();
        match Journal::open(&p) {
            Err(Error::JournalCorrupt { line, message, .. }) => {
                assert_eq!(line, 2);
                assert!(message.contains("checksum"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_journal_must_start_with_its_run() {
        let p = tmp("first");
        let mut j = Journal::create(&p).unwrap();
        j.append(&intent(1)).unwrap();
        drop(j);
        assert!(matches!(
            Journal::open(&p),
            Err(Error::JournalCorrupt { line: 1, .. })
        ));
    }

    impl Entry {
        fn clone_with_at(&self, other: &Entry) -> Entry {
            match (self, other) {
                (Entry::Intent { op, .. }, Entry::Intent { at, .. }) => Entry::Intent {
                    op: op.clone(),
                    at: *at,
                },
                _ => self.clone(),
            }
        }
    }
}
