//! The run's single writer of the journal. The first failed write stops the journal: every
//! later append fails too, so no intent (and so no mutation) follows a lost record, and
//! the run returns the first error. The journal (and with it the run's lock) is closed
//! at the first failed write and when the run returns, so that another process can
//! resume the run at once, whatever task of this run is still being torn down.

use std::path::PathBuf;
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::journal::{Entry, Journal};

#[derive(Debug)]
struct Inner {
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
}

impl Recorder {
    pub(super) fn new(journal: Journal) -> Self {
        Recorder {
            path: journal.path().to_path_buf(),
            inner: Mutex::new(Inner {
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

    /// Append one record (fsync'd), or fail for good.
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
        match journal.append(entry) {
            Ok(()) => Ok(()),
            Err(e) => {
                inner.failed = true;
                inner.journal = None;
                let copy = self.stopped(&e.to_string());
                inner.first_error = Some(e);
                Err(copy)
            }
        }
    }

    /// Close the journal, releasing the run's lock; later appends fail.
    pub(super) fn close(&self) {
        if let Ok(mut i) = self.inner.lock() {
            i.journal = None;
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
