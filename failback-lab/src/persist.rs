//! A durable lab: a snapshot of its whole state plus an append-only log of the calls that
//! changed it since, read back by [`LabSite::restore`](super::LabSite::restore) in another
//! process.
//!
//! **The snapshot** (the lab file itself) is JSON, `{"format": "failback-lab/3", "epoch",
//! "saved_at", "settings", "state"}`, replaced as a whole: the new state goes to a
//! temporary file beside it, which is fsync'd and renamed over the old one, and the folder
//! is fsync'd, so a crash leaves the old snapshot or the new one. The indexes of the state
//! (items, plans, groups, VMs, jobs by target, the jobs' next events) are not written:
//! they are rebuilt from the estate and the jobs on restore. It is written by
//! [`LabSite::persist_to`](super::LabSite::persist_to), and again at each compaction.
//!
//! **The log** (the lab file's name with `.log` appended, [`log_file`]) holds one line per
//! call that changed the lab, in the run journal's record format (`CRC32 JSON`, the CRC-32
//! in 8 hex digits of the JSON text; [`failback_core::journal`]): a header naming the snapshot's
//! `epoch`, then records numbered from 1. A record is the mutating call with its arguments
//! (a reprotect, failover, commit, cancel or resume of the recovery side, accepted or
//! refused; a VM created, a disk attached or detached, a configuration parameter set, a
//! power change on the on-premises side), the simulated time it was made at, whether it
//! was accepted, and the call bookkeeping of the fault draws (the fault counts and the
//! draw counts that changed since the record before). A call that changed nothing but let
//! jobs advance (a poll that saw a transfer or a boot group end) writes a record without a
//! call: only its time, so the restored clock never goes back before a time a caller saw.
//! Each record is appended and fsync'd (data only) before the provider call returns, so
//! what a caller heard of is durable, and costs a few hundred bytes instead of the whole
//! state. The log file is made longer ahead of its records, with zeros written and
//! fsync'd a chunk at a time (the snapshot's size, 64 KiB to 4 MiB), so that a record's
//! fsync changes no file size and commits no file-system metadata; a reader takes the
//! zeros after the last record for a torn last line.
//!
//! **Restore** reads the snapshot, then replays the log's records in order: the state is
//! settled to each record's time ([`LabState::settle`](super::state::LabState) is
//! deterministic: the jobs' events derive from the state and the time only, so they are
//! never written), the call is applied again through the same code as the live call, and
//! its outcome must match the one recorded (else the log does not belong to the snapshot,
//! an error). A torn last record (a crash mid-append: cut anywhere, even inside a
//! multi-byte character) is dropped and cut off before the next append; damage before the
//! last record is an error naming the log. A log whose header names another epoch is left
//! over from before the snapshot (a compaction or [`persist_to`](super::LabSite::persist_to)
//! that crashed before starting a new log): the snapshot holds all of it, and the log is
//! ignored, then replaced by the next append.
//!
//! **Compaction**: once the log grows past [`COMPACT_FACTOR`] times the snapshot, the next
//! record is followed by a new snapshot (a new epoch), and the log starts anew.
//!
//! Format 3 (issue 6's incremental persistence) adds the epoch and the log; formats 1 and
//! 2 (one whole file per change) are refused with a clear error.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::counters::Counters;
use super::faults::FaultCounts;
use super::jobs::Job;
use super::links::Link;
use super::state::{ItemRuntime, StartInput, VmPower};
use super::LabSettings;
use failback_core::estate::Estate;
use failback_core::provider::{JobId, Target as CallTarget};
use failback_core::state::Operation;
use failback_core::{Error, Result};

/// The `format` of a lab file.
pub const FORMAT: &str = "failback-lab/4";

/// The log grows to this many times the snapshot's size before it is compacted into a new
/// snapshot.
pub const COMPACT_FACTOR: u64 = 4;

/// The log beside a lab file: its name with `.log` appended (`failback.lab.json` has
/// `failback.lab.json.log`). Moving a lab file elsewhere means moving its log with it.
pub fn log_file(lab_file: &Path) -> PathBuf {
    let mut name = lab_file
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".log");
    lab_file.with_file_name(name)
}

/// Where a lab persists and what it wrote so far.
#[derive(Debug)]
pub(crate) struct Target {
    pub path: PathBuf,
    pub saved_at: Option<DateTime<Utc>>,
    pub writes: u64,
    pub bytes: u64,
    pub last_bytes: u64,
    pub snapshots: u64,
    /// The epoch of the snapshot on disk (the log's header names it).
    epoch: u64,
    /// The number of the last record in the log (0: none).
    seq: u64,
    /// Bytes of the snapshot on disk.
    snapshot_bytes: u64,
    /// Bytes of the log's good part (header and whole records); 0: the log must be
    /// started anew (with a header) at the next append.
    log_len: u64,
    /// The log, open for appending once the first record since the restore or the
    /// snapshot was written.
    log: Option<File>,
    /// Bytes the log file holds, zeros past `log_len` (see [`Target::append`]).
    log_cap: u64,
    /// Set by the first failed write: the file is behind the state in memory, so every
    /// later write fails too (the process must stop and restore from the file).
    broken: Option<String>,
    /// Test hook: the `n`-th write (1-based, records and snapshots) fails.
    fail_at: Option<u64>,
}

impl Target {
    /// A target whose snapshot is still to be written.
    pub(crate) fn new(path: PathBuf) -> Self {
        Target {
            path,
            saved_at: None,
            writes: 0,
            bytes: 0,
            last_bytes: 0,
            snapshots: 0,
            epoch: 0,
            seq: 0,
            snapshot_bytes: 0,
            log_len: 0,
            log: None,
            log_cap: 0,
            broken: None,
            fail_at: None,
        }
    }

    /// Test hook: make the `n`-th write from now on fail, as a full disk or a read-only
    /// folder would.
    pub(crate) fn fail_write_at(&mut self, n: u64) {
        self.fail_at = Some(self.writes + n);
    }

    /// Refuse to write once a write failed; fire the test hook.
    pub(crate) fn check_writable(&mut self) -> Result<()> {
        if let Some(why) = &self.broken {
            return Err(write_error(&self.path, why));
        }
        if self.fail_at == Some(self.writes + 1) {
            return Err(write_error(
                &self.path,
                "simulated write failure (FAILBACK_LAB_WRITE_FAIL_AT)",
            ));
        }
        Ok(())
    }

    /// Remember the first failed write.
    pub(crate) fn mark_broken(&mut self, e: &Error) {
        if self.broken.is_none() {
            self.broken = Some(match e {
                Error::LocalWrite { message, .. } => message.clone(),
                other => other.to_string(),
            });
        }
    }

    /// A target restored from `loaded`: appends go on after its last good record.
    pub(crate) fn restored(path: PathBuf, loaded: &Loaded) -> Self {
        Target {
            saved_at: Some(loaded.saved_at),
            epoch: loaded.epoch,
            seq: loaded.records.len() as u64,
            snapshot_bytes: loaded.snapshot_bytes,
            log_len: loaded.log_len,
            ..Target::new(path)
        }
    }

    /// The log has grown past [`COMPACT_FACTOR`] times the snapshot.
    pub(crate) fn wants_compaction(&self) -> bool {
        self.log_len > COMPACT_FACTOR.saturating_mul(self.snapshot_bytes.max(4096))
    }

    /// Write a new snapshot of `bytes` (already encoded for `epoch`): the log starts anew
    /// at the next append.
    pub(crate) fn write_snapshot(&mut self, epoch: u64, bytes: &[u8]) -> Result<()> {
        write_atomic(&self.path, bytes)?;
        self.epoch = epoch;
        self.seq = 0;
        self.snapshot_bytes = bytes.len() as u64;
        self.log_len = 0;
        self.log = None;
        self.log_cap = 0;
        self.writes += 1;
        self.snapshots += 1;
        self.bytes += bytes.len() as u64;
        self.last_bytes = bytes.len() as u64;
        Ok(())
    }

    /// Append `record` (its `seq` is set here) to the log and fsync it (its data: the
    /// file is made longer ahead, with zeros written and fsync'd whole, a chunk at a time,
    /// so that a record's fsync does not change the file's size and costs no metadata
    /// commit; a reader takes the zeros after the last record as a torn last line).
    pub(crate) fn append(&mut self, record: &mut Record) -> Result<()> {
        let log = log_file(&self.path);
        record.seq = self.seq + 1;
        let mut line = Vec::with_capacity(512);
        if self.log_len == 0 {
            push_line(
                &mut line,
                &Header {
                    format: FORMAT.to_string(),
                    epoch: self.epoch,
                },
                &log,
            )?;
        }
        push_line(&mut line, record, &log)?;
        let mut file = match self.log.take() {
            Some(f) => f,
            None => {
                let mut f = OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&log)
                    .map_err(|e| write_error(&log, e))?;
                // Cut a torn last record, or an old epoch's log, off.
                f.set_len(self.log_len).map_err(|e| write_error(&log, e))?;
                f.seek(SeekFrom::Start(self.log_len))
                    .map_err(|e| write_error(&log, e))?;
                if self.log_len == 0 {
                    // A new file (or one cut to nothing): its entry must survive too.
                    f.sync_all().map_err(|e| write_error(&log, e))?;
                    sync_dir(&log).map_err(|e| write_error(&log, e))?;
                }
                self.log_cap = self.log_len;
                f
            }
        };
        let end = self.log_len + line.len() as u64;
        if end > self.log_cap {
            let chunk = self.snapshot_bytes.clamp(64 << 10, 4 << 20);
            let cap = end + chunk;
            let zeros = vec![0u8; usize::try_from(cap - self.log_cap).unwrap_or(0)];
            file.seek(SeekFrom::Start(self.log_cap))
                .and_then(|_| file.write_all(&zeros))
                .and_then(|()| file.sync_all())
                .and_then(|()| file.seek(SeekFrom::Start(self.log_len)))
                .map_err(|e| write_error(&log, e))?;
            self.log_cap = cap;
            self.bytes += zeros.len() as u64;
        }
        file.write_all(&line).map_err(|e| write_error(&log, e))?;
        file.sync_data().map_err(|e| write_error(&log, e))?;
        self.log = Some(file);
        self.seq = record.seq;
        self.log_len += line.len() as u64;
        self.writes += 1;
        self.bytes += line.len() as u64;
        self.last_bytes = line.len() as u64;
        Ok(())
    }
}

/// `value` as one log line, `CRC32 JSON\n`, pushed onto `out`.
fn push_line(out: &mut Vec<u8>, value: &impl Serialize, log: &Path) -> Result<()> {
    out.extend(failback_core::records::encode(value).map_err(|e| write_error(log, e))?);
    Ok(())
}

/// One line of a log back into its value, checksum checked (the journal's line format).
fn parse_line<T: serde::de::DeserializeOwned>(raw: &[u8]) -> std::result::Result<T, String> {
    failback_core::records::decode(raw)
}

/// What a persisting lab wrote so far (to measure the cost of durability).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Persisted {
    /// The lab file (its snapshot; the log is [`log_file`] of it).
    pub path: PathBuf,
    /// The simulated time of the state last written.
    pub saved_at: Option<DateTime<Utc>>,
    /// Writes so far by this lab site, each one fsync'd: log records appended and
    /// snapshots written.
    pub writes: u64,
    /// Of the writes, the snapshots (the first one and each compaction).
    pub snapshots: u64,
    /// Bytes written so far by this lab site: snapshots, log records, and the zeros the
    /// log is made longer with ahead of its records.
    pub bytes: u64,
    /// Size of the last write, in bytes.
    pub last_bytes: u64,
}

impl From<&Target> for Persisted {
    fn from(t: &Target) -> Self {
        Persisted {
            path: t.path.clone(),
            saved_at: t.saved_at,
            writes: t.writes,
            snapshots: t.snapshots,
            bytes: t.bytes,
            last_bytes: t.last_bytes,
        }
    }
}

/// A mutating provider call, as the log records it to apply it again on restore.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub(crate) enum Call {
    /// A reprotect, failover, commit or cancel of a failover.
    Start {
        target: CallTarget,
        op: Operation,
        input: StartInput,
    },
    /// A running job cancelled.
    Cancel { job: JobId },
    /// A suspended job resumed.
    ResumeJob { job: JobId, comment: String },
    /// An on-premises VM created.
    CreateVm {
        name: String,
        host: String,
        datastore: String,
    },
    /// A disk attached to a VM.
    AttachDisk { vm: String, disk: String },
    /// A disk detached from a VM.
    DetachDisk { vm: String, disk: String },
    /// A configuration parameter of a VM set.
    SetConfigParam {
        vm: String,
        key: String,
        value: String,
    },
    /// A VM powered on or off.
    SetPower { vm: String, on: bool },
}

/// The first line of a log.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    /// The epoch of the snapshot the log follows.
    epoch: u64,
}

/// One record of the log.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Record {
    /// 1 for the first record after the snapshot.
    pub seq: u64,
    /// The simulated time of the call.
    pub at: DateTime<Utc>,
    /// The call, or none for a call that only let jobs advance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<Call>,
    /// Whether the call was accepted.
    pub ok: bool,
    /// The fault counts after the call.
    pub faults: FaultCounts,
    /// The fault-draw counts (kind, subject, count) that changed since the record before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<(String, String, u64)>,
}

/// The lab's state as written (borrowed from the live state).
#[derive(Debug, Serialize)]
pub(crate) struct SavedRef<'a> {
    pub estate: &'a Estate,
    pub runtime: &'a [ItemRuntime],
    pub power: &'a BTreeMap<String, VmPower>,
    pub jobs: &'a [Job],
    pub links: &'a BTreeMap<String, Link>,
    pub disks: &'a BTreeMap<String, u32>,
    pub peak_disks: &'a BTreeMap<String, u32>,
    pub counters: &'a Counters,
    /// Calls drawn per kind and subject (fault draws are keyed by this count).
    pub calls: Vec<(&'a str, &'a str, u64)>,
    pub vm_seq: u64,
}

/// The lab's state as read back.
#[derive(Debug, Deserialize)]
pub(crate) struct Saved {
    pub estate: Estate,
    pub runtime: Vec<ItemRuntime>,
    pub power: BTreeMap<String, VmPower>,
    pub jobs: Vec<Job>,
    pub links: BTreeMap<String, Link>,
    pub disks: BTreeMap<String, u32>,
    pub peak_disks: BTreeMap<String, u32>,
    pub counters: Counters,
    pub calls: Vec<(String, String, u64)>,
    pub vm_seq: u64,
}

#[derive(Serialize)]
struct FileRef<'a> {
    format: &'static str,
    epoch: u64,
    saved_at: DateTime<Utc>,
    settings: &'a LabSettings,
    state: SavedRef<'a>,
}

#[derive(Deserialize)]
struct FileHeader {
    format: Option<String>,
}

#[derive(Deserialize)]
struct FileOwned {
    epoch: u64,
    saved_at: DateTime<Utc>,
    settings: LabSettings,
    state: Saved,
}

/// A lab file read back: its snapshot, and the records of its log to replay.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// The snapshot's time.
    pub saved_at: DateTime<Utc>,
    pub settings: LabSettings,
    pub state: Saved,
    epoch: u64,
    snapshot_bytes: u64,
    /// The log's records after the snapshot, in order.
    pub records: Vec<Record>,
    /// Bytes of the log's good part (0: no usable log).
    log_len: u64,
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::LocalWrite {
        path: path.to_path_buf(),
        message: format!("the lab state cannot be written: {e}"),
    }
}

pub(crate) fn damaged(path: &Path, message: String) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not a usable lab state ({FORMAT}): {message}"),
        ),
    }
}

/// A new epoch for a snapshot: different from the one before and, with the time and the
/// process id mixed in, from any earlier lab's at the same path.
pub(crate) fn next_epoch(before: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mixed = nanos ^ (u64::from(std::process::id()) << 40) ^ before.rotate_left(17);
    if mixed == before {
        mixed.wrapping_add(1)
    } else {
        mixed
    }
}

/// The snapshot's bytes for `state` at simulated time `saved_at`.
pub(crate) fn encode(
    path: &Path,
    epoch: u64,
    saved_at: DateTime<Utc>,
    settings: &LabSettings,
    state: SavedRef<'_>,
) -> Result<Vec<u8>> {
    serde_json::to_vec(&FileRef {
        format: FORMAT,
        epoch,
        saved_at,
        settings,
        state,
    })
    .map_err(|e| write_error(path, e))
}

/// Replace `path` with `bytes`: temporary file, fsync, rename, fsync of the folder.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| write_error(path, "the path names no file"))?;
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .map_err(|e| write_error(&tmp, e))?;
    f.write_all(bytes).map_err(|e| write_error(&tmp, e))?;
    f.sync_all().map_err(|e| write_error(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| write_error(path, e))?;
    sync_dir(path).map_err(|e| write_error(path, e))
}

/// Fsync the folder of `path`, so a rename or a new file survives a crash (Unix;
/// elsewhere a no-op).
fn sync_dir(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = (path, File::open::<&Path>);
        Ok(())
    }
}

/// Read a lab file's snapshot back and check it is whole and consistent (its log is not
/// read).
fn load_snapshot(path: &Path) -> Result<(FileOwned, u64)> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let header: FileHeader =
        serde_json::from_str(&text).map_err(|e| damaged(path, format!("bad JSON: {e}")))?;
    match header.format.as_deref() {
        Some(FORMAT) => {}
        Some(other) => return Err(damaged(path, format!("unsupported format {other:?}"))),
        None => return Err(damaged(path, "no format".to_string())),
    }
    let file: FileOwned = serde_json::from_str(&text).map_err(|e| damaged(path, e.to_string()))?;
    let st = &file.state;
    let items = st.estate.items.len();
    if st.runtime.len() != items {
        return Err(damaged(
            path,
            format!("{} item runtimes for {items} items", st.runtime.len()),
        ));
    }
    for job in &st.jobs {
        let worked: Vec<usize> = match &job.work {
            super::jobs::Work::Fixed { .. } => Vec::new(),
            super::jobs::Work::Transfers(ts) => ts.iter().map(|t| t.item).collect(),
            super::jobs::Work::Steps { steps, .. } => steps
                .iter()
                .flat_map(|s| match &s.kind {
                    super::jobs::StepKind::Group { items, .. } => items.clone(),
                    super::jobs::StepKind::Manual { .. } => Vec::new(),
                })
                .collect(),
        };
        if let Some(i) = job.items.iter().chain(&worked).find(|&&i| i >= items) {
            return Err(damaged(
                path,
                format!("job {} names item #{i} of {items}", job.id),
            ));
        }
    }
    Ok((file, text.len() as u64))
}

/// The settings a lab file's snapshot was written with.
pub(crate) fn load_settings(path: &Path) -> Result<LabSettings> {
    Ok(load_snapshot(path)?.0.settings)
}

/// The records of the log of epoch `epoch` at `log`, and the length of its good part. A
/// missing log, or one of another epoch, has none; a torn last line is dropped; damage
/// before the last line is an error naming the log.
fn load_log(log: &Path, epoch: u64) -> Result<(Vec<Record>, u64)> {
    let bytes = match std::fs::read(log) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(source) => {
            return Err(Error::Io {
                path: log.to_path_buf(),
                source,
            })
        }
    };
    let mut records = Vec::new();
    let mut good_end = 0usize;
    for line in failback_core::records::lines(&bytes) {
        let (raw, next, complete, last, line_no) =
            (line.bytes, line.next, line.complete, line.last, line.number);
        if line_no == 1 {
            match parse_line::<Header>(raw) {
                Ok(h) if complete && h.format == FORMAT && h.epoch == epoch => {}
                Ok(h) if complete && h.format != FORMAT => {
                    return Err(damaged(
                        log,
                        format!("unsupported log format {:?}", h.format),
                    ))
                }
                // Left over from before the snapshot (its epoch is another), or a header
                // torn as the log was started: the snapshot holds everything.
                Ok(_) => return Ok((Vec::new(), 0)),
                Err(_) if last => return Ok((Vec::new(), 0)),
                Err(e) => return Err(damaged(log, format!("line 1 (the header): {e}"))),
            }
        } else {
            match parse_line::<Record>(raw) {
                Ok(r) if complete => {
                    let want = records.len() as u64 + 1;
                    if r.seq != want {
                        return Err(damaged(
                            log,
                            format!("line {line_no}: record {} where {want} was due", r.seq),
                        ));
                    }
                    records.push(r);
                }
                // A torn last record (a crash while it was appended): dropped.
                _ if last => break,
                Ok(_) => {
                    return Err(damaged(
                        log,
                        format!("line {line_no}: record without line end"),
                    ))
                }
                Err(e) => return Err(damaged(log, format!("line {line_no}: {e}"))),
            }
        }
        good_end = next;
    }
    Ok((records, good_end as u64))
}

/// Read a lab file back: its snapshot checked whole and consistent, and the records of
/// its log to replay.
pub(crate) fn load(path: &Path) -> Result<Loaded> {
    let (file, snapshot_bytes) = load_snapshot(path)?;
    let (records, log_len) = load_log(&log_file(path), file.epoch)?;
    Ok(Loaded {
        saved_at: file.saved_at,
        settings: file.settings,
        state: file.state,
        epoch: file.epoch,
        snapshot_bytes,
        records,
        log_len,
    })
}

impl Target {
    /// The epoch of the snapshot on disk.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch
    }
}
