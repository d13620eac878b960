//! A failback request: which items or groups, where to, with which recovery point, and
//! optional pinned inputs. See `docs/request.md`.
//!
//! ```
//! use failback_core::request::{PointChoice, Request};
//!
//! let r = Request::from_json_str(r#"{"format": "failback-request/1",
//!     "recovery_point": {"kind": "latest_application_consistent"}}"#).unwrap();
//! assert_eq!(r.recovery_point, PointChoice::LatestApplicationConsistent);
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::estate::locate::FieldPath;
use crate::estate::{parse_document, EstateIndex, Problem};
use crate::runbook::{ApplicationSpec, CommitPolicy, Cutover, Phase, Verify};

/// The `format` value of a request document.
pub const FORMAT: &str = "failback-request/1";

/// Where items should land.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LocationPreference {
    /// The original VM when every rule allows it, else an alternate location.
    #[default]
    Auto,
    /// The original VM; a rule that forbids it blocks the item.
    Original,
    /// A new VM on the master target's host and datastore.
    Alternate,
}

/// Which recovery point to fail over to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PointChoice {
    /// The latest point (least data loss).
    #[default]
    Latest,
    /// The latest application-consistent point (FO-002: loses the changes after it).
    LatestApplicationConsistent,
    /// A given point, by id. For a group it must be a point every member has.
    Point {
        /// The recovery point id.
        id: String,
    },
}

/// A stage of failback.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reprotect Azure to on-premises.
    Reprotect,
    /// Fail over to on-premises.
    Failover,
    /// Commit (deletes the Azure VMs).
    Commit,
    /// Reprotect on-premises to Azure.
    ReprotectToAzure,
}

impl Stage {
    /// All stages in order.
    pub const ALL: [Stage; 4] = [
        Stage::Reprotect,
        Stage::Failover,
        Stage::Commit,
        Stage::ReprotectToAzure,
    ];

    /// The protection operation the stage runs.
    pub fn operation(self) -> crate::state::Operation {
        use crate::state::Operation;
        match self {
            Stage::Reprotect => Operation::Reprotect,
            Stage::Failover => Operation::Failover,
            Stage::Commit => Operation::Commit,
            Stage::ReprotectToAzure => Operation::ReprotectToAzure,
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stage::Reprotect => "reprotect",
            Stage::Failover => "failover",
            Stage::Commit => "commit",
            Stage::ReprotectToAzure => "reprotect-to-azure",
        })
    }
}

/// Inputs the user fixes instead of letting the planner choose.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pins {
    /// Master target id.
    #[serde(default)]
    pub master_target: Option<String>,
    /// Process server id (in Azure, for reprotect).
    #[serde(default)]
    pub process_server: Option<String>,
    /// Datastore id (for a new VM).
    #[serde(default)]
    pub datastore: Option<String>,
    /// Retention volume name on the master target.
    #[serde(default)]
    pub retention_volume: Option<String>,
}

impl Pins {
    /// These pins, with `over`'s set fields taking precedence.
    pub fn overlay(&self, over: &Pins) -> Pins {
        Pins {
            master_target: over
                .master_target
                .clone()
                .or_else(|| self.master_target.clone()),
            process_server: over
                .process_server
                .clone()
                .or_else(|| self.process_server.clone()),
            datastore: over.datastore.clone().or_else(|| self.datastore.clone()),
            retention_volume: over
                .retention_volume
                .clone()
                .or_else(|| self.retention_volume.clone()),
        }
    }

    /// Whether no pin is set.
    pub fn is_empty(&self) -> bool {
        *self == Pins::default()
    }
}

/// A failback request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Document format: `failback-request/1`.
    pub format: String,
    /// Item ids to fail back. With `groups` also empty: every item of the estate.
    #[serde(default)]
    pub items: Vec<String>,
    /// Replication groups to fail back, each as a whole through its recovery plan.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Original, alternate or auto.
    #[serde(default)]
    pub location: LocationPreference,
    /// The recovery point.
    #[serde(default)]
    pub recovery_point: PointChoice,
    /// Accept a recovery point older than the policy's RPO threshold; the data loss is
    /// recorded in the plan.
    #[serde(default)]
    pub accept_stale_point: bool,
    /// Stages to run; default: every stage still ahead of each item.
    #[serde(default)]
    pub stages: Option<Vec<Stage>>,
    /// Inputs pinned for every unit.
    #[serde(default)]
    pub pins: Pins,
    /// Inputs pinned per item id (override `pins`).
    #[serde(default)]
    pub item_pins: BTreeMap<String, Pins>,
    /// Inputs pinned per replication group (override `pins`).
    #[serde(default)]
    pub group_pins: BTreeMap<String, Pins>,
    /// Applications: items that cut over together in boot order (recovery plans of the
    /// estate are applications of their own).
    #[serde(default)]
    pub applications: Vec<ApplicationSpec>,
    /// Cutover windows and when a cutover may start.
    #[serde(default)]
    pub cutover: Cutover,
    /// Phases after which the run stops for a person to decide; `failback resume`
    /// continues past them.
    #[serde(default)]
    pub hold_after: Vec<Phase>,
    /// The verify gate before commit.
    #[serde(default)]
    pub verify: Verify,
    /// Commit after verification, hold, or roll back.
    #[serde(default)]
    pub commit: CommitPolicy,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            format: FORMAT.to_string(),
            items: Vec::new(),
            groups: Vec::new(),
            location: LocationPreference::Auto,
            recovery_point: PointChoice::Latest,
            accept_stale_point: false,
            stages: None,
            pins: Pins::default(),
            item_pins: BTreeMap::new(),
            group_pins: BTreeMap::new(),
            applications: Vec::new(),
            cutover: Cutover::default(),
            hold_after: Vec::new(),
            verify: Verify::default(),
            commit: CommitPolicy::default(),
        }
    }
}

impl Request {
    /// Read a request file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json_str(&text).map_err(|e| e.in_file(path))
    }

    /// Parse a request document (its references are checked against an estate by
    /// [`Request::check_against`]).
    pub fn from_json_str(text: &str) -> Result<Self> {
        parse_document("request", text, FORMAT)
    }

    /// The pins of one item: its own, over its replication group's (when it moves in
    /// `group`), over the request's.
    pub fn pins_for(&self, group: Option<&str>, item: &str) -> Pins {
        let mut p = self.pins.clone();
        if let Some(g) = group.and_then(|g| self.group_pins.get(g)) {
            p = p.overlay(g);
        }
        if let Some(i) = self.item_pins.get(item) {
            p = p.overlay(i);
        }
        p
    }

    /// Whether the request runs this stage (when it lists stages).
    pub fn wants(&self, stage: Stage) -> bool {
        self.stages.as_ref().is_none_or(|s| s.contains(&stage))
    }

    /// Check that every id the request names exists in the estate.
    pub fn check_against(&self, index: &EstateIndex<'_>) -> Result<()> {
        let mut problems = Vec::new();
        let root = FieldPath::root();
        let mut missing = |path: FieldPath, what: &str, id: &str, list: &str| {
            problems.push(Problem {
                path,
                message: format!("{what} \"{id}\" does not exist in the estate"),
                fix: format!("name an id listed in the estate's `{list}`"),
            })
        };
        for (i, id) in self.items.iter().enumerate() {
            if index.item(id).is_none() {
                missing(root.key("items").index(i), "item", id, "items");
            }
        }
        for (i, g) in self.groups.iter().enumerate() {
            if index.group(g).is_empty() {
                missing(
                    root.key("groups").index(i),
                    "replication group",
                    g,
                    "items[].replication_group",
                );
            }
        }
        let mut pins = vec![(root.key("pins"), &self.pins)];
        for (k, p) in &self.item_pins {
            if index.item(k).is_none() {
                missing(root.key("item_pins").key(k), "item", k, "items");
            }
            pins.push((root.key("item_pins").key(k), p));
        }
        for (k, p) in &self.group_pins {
            if index.group(k).is_empty() {
                missing(
                    root.key("group_pins").key(k),
                    "replication group",
                    k,
                    "items[].replication_group",
                );
            }
            pins.push((root.key("group_pins").key(k), p));
        }
        for (path, p) in pins {
            if let Some(mt) = &p.master_target {
                if index.master_target(mt).is_none() {
                    missing(
                        path.key("master_target"),
                        "master target",
                        mt,
                        "master_targets",
                    );
                }
            }
            if let Some(ps) = &p.process_server {
                if index.process_server(ps).is_none() {
                    missing(
                        path.key("process_server"),
                        "process server",
                        ps,
                        "process_servers",
                    );
                }
            }
            if let Some(ds) = &p.datastore {
                if index.datastore(ds).is_none() {
                    missing(path.key("datastore"), "datastore", ds, "datastores");
                }
            }
        }
        if let Some(stages) = &self.stages {
            if stages.is_empty() {
                problems.push(Problem {
                    path: root.key("stages"),
                    message: "no stage listed".into(),
                    fix: "list at least one stage, or leave `stages` out for all".into(),
                });
            }
        }
        self.check_runbook(index, &mut problems);
        Problem::check("request", "", problems)
    }

    /// The run's shape: windows that open for a while, checks that can run and name what
    /// exists, a verify timeout.
    fn check_runbook(&self, index: &EstateIndex<'_>, problems: &mut Vec<Problem>) {
        let root = FieldPath::root();
        for (i, w) in self.cutover.windows.iter().enumerate() {
            if w.minutes == 0 {
                problems.push(Problem {
                    path: root.key("cutover").key("windows").index(i).key("minutes"),
                    message: "a window of 0 minutes never lets a failover start".into(),
                    fix: "give the window's length in minutes (at least 1)".into(),
                });
            }
        }
        if self.verify.timeout_seconds == 0 {
            problems.push(Problem {
                path: root.key("verify").key("timeout_seconds"),
                message: "a timeout of 0 s fails every verification".into(),
                fix: "give the seconds an item may take to pass its checks (default 1800)".into(),
            });
        }
        let applications: std::collections::HashSet<&str> =
            self.applications.iter().map(|a| a.name.as_str()).collect();
        for (i, c) in self.verify.checks.iter().enumerate() {
            let path = root.key("verify").key("checks").index(i);
            match c {
                crate::runbook::CheckSpec::Tcp { port: 0, .. } => problems.push(Problem {
                    path: path.key("port"),
                    message: "port 0 cannot be connected to".into(),
                    fix: "give the TCP port the application answers on".into(),
                }),
                crate::runbook::CheckSpec::Command { argv, .. } if argv.is_empty() => {
                    problems.push(Problem {
                        path: path.key("argv"),
                        message: "no program to run".into(),
                        fix: "give the program and its arguments, like [\"/usr/local/bin/check\", \"{item}\"]".into(),
                    })
                }
                _ => {}
            }
            let (items, apps) = c.scope();
            for (j, it) in items.iter().enumerate() {
                if index.item(it).is_none() {
                    problems.push(Problem {
                        path: path.key("items").index(j),
                        message: format!("item \"{it}\" does not exist in the estate"),
                        fix: "name an id listed in the estate's `items`".into(),
                    });
                }
            }
            for (j, a) in apps.iter().enumerate() {
                let known = applications.contains(a.as_str())
                    || index.item(a).is_some()
                    || !index.group(a).is_empty()
                    || index.estate.recovery_plans.iter().any(|p| &p.name == a);
                if !known {
                    problems.push(Problem {
                        path: path.key("applications").index(j),
                        message: format!("application \"{a}\" is neither in `applications` nor a recovery plan, replication group or item of the estate"),
                        fix: "name a request application, a recovery plan, a replication group or an item".into(),
                    });
                }
            }
        }
    }
}
