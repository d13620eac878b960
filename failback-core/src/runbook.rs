//! How a failback runs, beyond what it moves: the phases, the cutover windows, the
//! applications and their boot order, the verify gate, the commit policy and the holds
//! where a person decides. These are fields of the [`Request`](crate::request::Request);
//! see `docs/request.md`.
//!
//! A run goes through its phases per wave of units (EXT-004: a master target attaches at
//! most 60 disks at once): **reprotect** every unit within capacity, **wait healthy**
//! until every unit of the coming cutover replicates with a point inside the RPO
//! threshold, **cutover** (failover, application by application in boot order, inside a
//! window when the request gives windows), **verify** each application, **commit** (or
//! hold, or roll back) and **reprotect to Azure**.

use std::fmt;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A phase of a failback run.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Reprotect (Azure to on-premises) every unit, within the master targets' capacity.
    Reprotect,
    /// Wait until every unit of the coming cutover replicates with a fresh point.
    WaitHealthy,
    /// Fail over, application by application, group by group, inside a window.
    Cutover,
    /// Check each application: VM running, guest answering, the request's own checks.
    Verify,
    /// Commit (deletes the Azure VMs), hold for a person, or roll back.
    Commit,
    /// Reprotect on-premises to Azure again, once the mobility agent re-registered.
    ReprotectToAzure,
}

impl Phase {
    /// Every phase, in order.
    pub const ALL: [Phase; 6] = [
        Phase::Reprotect,
        Phase::WaitHealthy,
        Phase::Cutover,
        Phase::Verify,
        Phase::Commit,
        Phase::ReprotectToAzure,
    ];

    /// The phase a stage's operation runs in (a failover: the cutover).
    pub fn of_stage(stage: crate::request::Stage) -> Phase {
        use crate::request::Stage;
        match stage {
            Stage::Reprotect => Phase::Reprotect,
            Stage::Failover => Phase::Cutover,
            Stage::Commit => Phase::Commit,
            Stage::ReprotectToAzure => Phase::ReprotectToAzure,
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Reprotect => "reprotect",
            Phase::WaitHealthy => "wait-healthy",
            Phase::Cutover => "cutover",
            Phase::Verify => "verify",
            Phase::Commit => "commit",
            Phase::ReprotectToAzure => "reprotect-to-azure",
        })
    }
}

/// An announced cutover window: failovers start only inside one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// When it opens.
    pub start: DateTime<Utc>,
    /// How long it stays open, in minutes (at least 1).
    pub minutes: u32,
}

impl Window {
    /// When it closes.
    pub fn end(&self) -> DateTime<Utc> {
        self.start + chrono::Duration::minutes(i64::from(self.minutes))
    }
}

/// When a cutover may start without windows (and, with windows, which units must be
/// healthy before the next window is taken).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CutoverStart {
    /// Once every unit of the wave replicates healthily: the whole wave cuts over together.
    #[default]
    PerWave,
    /// Once the application's own units replicate healthily.
    PerApplication,
}

/// The cutover's windows and start rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cutover {
    /// The announced windows, in any order; none: the cutover starts as soon as its units
    /// are healthy.
    #[serde(default)]
    pub windows: Vec<Window>,
    /// Which units must be healthy before an application cuts over.
    #[serde(default)]
    pub start: CutoverStart,
}

/// An application of the request: items that fail over together, group by group, and are
/// verified and committed together. Give `items` (one boot group) or `groups` (the boot
/// groups in order), not both. Recovery plans of the estate are applications of their own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationSpec {
    /// Application name, unique in the request and distinct from the estate's recovery
    /// plan names.
    pub name: String,
    /// Its items, all in one boot group.
    #[serde(default)]
    pub items: Vec<String>,
    /// Its boot groups in order (at most 7): group n+1 fails over once every VM of group n
    /// runs.
    #[serde(default)]
    pub groups: Vec<Vec<String>>,
}

impl ApplicationSpec {
    /// The boot groups: `groups`, or `items` as one group.
    pub fn boot_groups(&self) -> Vec<Vec<String>> {
        if self.groups.is_empty() {
            vec![self.items.clone()]
        } else {
            self.groups.clone()
        }
    }
}

/// One check of the verify gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CheckSpec {
    /// A TCP port of the VM's address answers (a connection is accepted).
    Tcp {
        /// The port.
        port: u16,
        /// Items it applies to; with `applications` also empty: every item.
        #[serde(default)]
        items: Vec<String>,
        /// Applications it applies to (every item of each).
        #[serde(default)]
        applications: Vec<String>,
    },
    /// A command exits 0. It runs on the machine running failback with the environment
    /// variables `FAILBACK_ITEM`, `FAILBACK_VM` and `FAILBACK_IP` set; `{item}`, `{vm}`
    /// and `{ip}` in its arguments are replaced by the same values.
    Command {
        /// Program and arguments (no shell).
        argv: Vec<String>,
        /// Items it applies to; with `applications` also empty: every item.
        #[serde(default)]
        items: Vec<String>,
        /// Applications it applies to (every item of each).
        #[serde(default)]
        applications: Vec<String>,
    },
}

impl CheckSpec {
    /// The items and applications it is limited to (both empty: every item).
    pub fn scope(&self) -> (&[String], &[String]) {
        match self {
            CheckSpec::Tcp {
                items,
                applications,
                ..
            }
            | CheckSpec::Command {
                items,
                applications,
                ..
            } => (items, applications),
        }
    }

    /// Whether it applies to `item` of `application`.
    pub fn applies_to(&self, item: &str, application: &str) -> bool {
        let (items, apps) = self.scope();
        (items.is_empty() && apps.is_empty())
            || items.iter().any(|i| i == item)
            || apps.iter().any(|a| a == application)
    }
}

impl fmt::Display for CheckSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckSpec::Tcp { port, .. } => write!(f, "TCP port {port}"),
            CheckSpec::Command { argv, .. } => write!(f, "command `{}`", argv.join(" ")),
        }
    }
}

/// The verify gate before commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    /// How long an item may take to pass every check after its failover, in seconds.
    #[serde(default = "default_verify_timeout")]
    pub timeout_seconds: u64,
    /// Checks beyond "the VM runs and its guest answers".
    #[serde(default)]
    pub checks: Vec<CheckSpec>,
}

fn default_verify_timeout() -> u64 {
    1800
}

impl Default for Verify {
    fn default() -> Self {
        Verify {
            timeout_seconds: default_verify_timeout(),
            checks: Vec::new(),
        }
    }
}

/// What happens after an application was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommitPolicy {
    /// Commit each application once it is verified (an application that fails
    /// verification is rolled back when the flavour allows, else held uncommitted).
    #[default]
    AfterVerification,
    /// Hold every verified application uncommitted for a person to decide (`failback
    /// resume` commits).
    Hold,
    /// Roll every application back after verification (a failback rehearsal): the
    /// modernized planned failover is cancelled; the classic flavour cannot cancel, so a
    /// plan with this policy is refused.
    Rollback,
}
