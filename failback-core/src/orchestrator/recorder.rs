//! The run's single writer of the journal. The first failed write stops the journal: every
//! later append fails too, so no intent (and so no mutation) follows a lost record, and
//! the run returns the first error.
//!
//! Group commit: a record is written at once (it survives a killed process) and made
//! durable by [`Recorder::durable`], which the run awaits before every remote mutation,
//! so an intent is on disk before its call. One task syncs for all: the records that
//! others wrote meanwhile ride on the same fdatasync, done on the blocking pool on a
//! multi-threaded runtime (the runtime's threads go on), inline on a current-thread one
//! (the discrete-event drills: the order of their tasks stays the same from run to
//! run). A power loss can lose the records after the last sync: a resume recomputes
//! them (it polls jobs again, and finds the job of an intent). The journal (and with it the run's lock) is closed
//! at the first failed write and when the run returns, so that another process can
//! resume the run at once, whatever task of this run is still being torn down.

use std::path::PathBuf;
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::journal::{Entry, Journal};

#[derive(Debug)]
struct Inner {
    /// Records written so far.
    written: u64,
    /// Whether a task is syncing now.
    syncing: bool,
    /// `None` once closed.
    journal: Option<Journal>,
    failed: bool,
    first_error: Option<Error>,
}

/// The journal shared by the units of a run. The lock is held only for one synchronous
/// append, never across an `.await`.
#[derive(Debug)]
pub(super) struct Recorder {
    path: PathBuf,
    inner: Mutex<Inner>,
    /// The records known durable, for the tasks waiting on another's sync.
    synced: tokio::sync::watch::Sender<u64>,
}

impl Recorder {
    pub(super) fn new(journal: Journal) -> Self {
        Recorder {
            path: journal.path().to_path_buf(),
            synced: tokio::sync::watch::Sender::new(journal.records()),
            inner: Mutex::new(Inner {
                written: journal.records(),
                syncing: false,
                journal: Some(journal),
                failed: false,
                first_error: None,
            }),
        }
    }

    fn stopped(&self, why: &str) -> Error {
        Error::JournalWrite {
            path: self.path.clone(),
            source: std::io::Error::other(why.to_string()),
        }
    }

    /// Append one record (written, durable at the next [`Recorder::durable`]), or fail
    /// for good.
    pub(super) fn append(&self, entry: &Entry) -> Result<()> {
        let mut inner = self
            .inner
            .lock()
            .map_err(|_| self.stopped("the journal lock was poisoned"))?;
        if inner.failed {
            return Err(self.stopped("an earlier journal write failed; the run stopped"));
        }
        let Some(journal) = inner.journal.as_mut() else {
            return Err(self.stopped("the run has returned; its journal is closed"));
        };
        match journal.write(entry) {
            Ok(()) => {
                inner.written += 1;
                Ok(())
            }
            Err(e) => {
                inner.failed = true;
                inner.journal = None;
                let copy = self.stopped(&e.to_string());
                inner.first_error = Some(e);
                Err(copy)
            }
        }
    }

    fn fail(&self, inner: &mut Inner, e: Error) -> Error {
        inner.failed = true;
        inner.journal = None;
        let copy = self.stopped(&e.to_string());
        inner.first_error.get_or_insert(e);
        copy
    }

    /// Wait until every record written so far is on disk, syncing it (for every task's
    /// records at once) unless another task's sync covers it.
    pub(super) async fn durable(&self) -> Result<()> {
        let mut rx = self.synced.subscribe();
        loop {
            let (target, file) = {
                let mut inner = self
                    .inner
                    .lock()
                    .map_err(|_| self.stopped("the journal lock was poisoned"))?;
                if inner.failed {
                    return Err(self.stopped("an earlier journal write failed; the run stopped"));
                }
                let target = inner.written;
                if *self.synced.borrow() >= target {
                    return Ok(());
                }
                if inner.syncing {
                    // Seen under the lock: the syncing task's notice comes after it.
                    rx.borrow_and_update();
                    (target, None)
                } else {
                    let Some(journal) = inner.journal.as_ref() else {
                        return Err(self.stopped("the run has returned; its journal is closed"));
                    };
                    match journal.sync_handle() {
                        Ok(f) => {
                            inner.syncing = true;
                            (target, Some(f))
                        }
                        Err(e) => return Err(self.fail(&mut inner, e)),
                    }
                }
            };
            let Some(file) = file else {
                // Another task syncs (maybe not up to this record): wait for it to end,
                // then look again (this task may sync next).
                if rx.changed().await.is_err() {
                    return Err(self.stopped("the journal's recorder is gone"));
                }
                let _ = target;
                continue;
            };
            let multi = tokio::runtime::Handle::try_current()
                .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
            let done = if multi {
                tokio::task::spawn_blocking(move || file.sync_data())
                    .await
                    .unwrap_or_else(|e| Err(std::io::Error::other(e)))
            } else {
                file.sync_data()
            };
            let mut inner = self
                .inner
                .lock()
                .map_err(|_| self.stopped("the journal lock was poisoned"))?;
            inner.syncing = false;
            match done {
                Ok(()) => {
                    self.synced.send_modify(|s| *s = (*s).max(target));
                    return Ok(());
                }
                Err(source) => {
                    let e = Error::JournalWrite {
                        path: self.path.clone(),
                        source,
                    };
                    let copy = self.fail(&mut inner, e);
                    // Wake the waiters: they see the failure.
                    self.synced.send_modify(|_| {});
                    return Err(copy);
                }
            }
        }
    }

    /// Close the journal (its records synced first), releasing the run's lock; later
    /// appends fail.
    pub(super) fn close(&self) {
        if let Ok(mut i) = self.inner.lock() {
            if let Some(j) = i.journal.take() {
                let _ = j.sync();
            }
        }
    }

    /// The first write error, once.
    pub(super) fn take_error(&self) -> Option<Error> {
        self.inner
            .lock()
            .ok()
            .and_then(|mut i| i.first_error.take())
    }
}
