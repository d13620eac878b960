//! A durable lab: its whole state written to one file after every change a caller may see
//! (each accepted or refused mutation, each job that ended), atomically, and read back by
//! [`LabSite::restore`](super::LabSite::restore) in another process.
//!
//! The file is JSON, `{"format": "failback-lab/2", "saved_at", "settings", "state"}`. It
//! is replaced as a whole: the new state goes to a temporary file beside it, which is
//! fsync'd and renamed over the old one, and the folder is fsync'd, so a crash leaves
//! either the old state or the new one, never a torn file. The indexes of the state
//! (items, plans, groups, VMs, jobs by target, the jobs' next events) are not written:
//! they are rebuilt from the estate and the jobs on restore. Format 2 (the time model of
//! issue 6) adds the links and their transfers, the disks attached per master target,
//! jobs made of steps and transfers; a format 1 file is refused.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::counters::Counters;
use super::jobs::Job;
use super::links::Link;
use super::state::{ItemRuntime, VmPower};
use super::{LabSettings, PROVIDER};
use crate::estate::Estate;
use crate::{Error, ErrorKind, Result};

/// The `format` of a lab file.
pub const FORMAT: &str = "failback-lab/2";

/// Where a lab persists and what it wrote so far.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub path: PathBuf,
    pub saved_at: Option<DateTime<Utc>>,
    pub writes: u64,
    pub last_bytes: u64,
}

impl Target {
    pub(crate) fn new(path: PathBuf) -> Self {
        Target {
            path,
            saved_at: None,
            writes: 0,
            last_bytes: 0,
        }
    }
}

/// What a persisting lab wrote so far (to measure the cost of durability).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Persisted {
    /// The lab file.
    pub path: PathBuf,
    /// The simulated time of the state last written.
    pub saved_at: Option<DateTime<Utc>>,
    /// Writes so far by this lab site (each one a whole file, fsync'd).
    pub writes: u64,
    /// Size of the last write, in bytes.
    pub last_bytes: u64,
}

impl From<&Target> for Persisted {
    fn from(t: &Target) -> Self {
        Persisted {
            path: t.path.clone(),
            saved_at: t.saved_at,
            writes: t.writes,
            last_bytes: t.last_bytes,
        }
    }
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
    saved_at: DateTime<Utc>,
    settings: &'a LabSettings,
    state: SavedRef<'a>,
}

#[derive(Deserialize)]
struct Header {
    format: Option<String>,
}

#[derive(Deserialize)]
struct FileOwned {
    saved_at: DateTime<Utc>,
    settings: LabSettings,
    state: Saved,
}

/// A lab file read back.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub saved_at: DateTime<Utc>,
    pub settings: LabSettings,
    pub state: Saved,
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::provider(
        PROVIDER,
        ErrorKind::Other,
        format!("cannot write the lab state {}: {e}", path.display()),
    )
}

fn damaged(path: &Path, message: String) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not a usable lab state ({FORMAT}): {message}"),
        ),
    }
}

/// The file's bytes for `state` at simulated time `saved_at`.
pub(crate) fn encode(
    path: &Path,
    saved_at: DateTime<Utc>,
    settings: &LabSettings,
    state: SavedRef<'_>,
) -> Result<Vec<u8>> {
    serde_json::to_vec(&FileRef {
        format: FORMAT,
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

/// Fsync the folder of `path`, so the rename survives a crash (Unix; elsewhere a no-op).
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

/// Read a lab file back and check it is whole and consistent.
pub(crate) fn load(path: &Path) -> Result<Loaded> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let header: Header =
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
    Ok(Loaded {
        saved_at: file.saved_at,
        settings: file.settings,
        state: file.state,
    })
}
