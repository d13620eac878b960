//! The rule catalog and findings: every rule of the domain with a stable ID, severity and
//! remediation, and the finding a check yields when a rule holds against an item, a group
//! or a server.
//!
//! ```
//! use failback_core::rules::{RuleId, Severity};
//!
//! let rule = RuleId::parse("PRE-007").unwrap();
//! assert_eq!(rule.info().severity, Severity::Blocker);
//! assert!(RuleId::ALL.len() >= 60);
//! ```

mod catalog;

pub use catalog::RuleId;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How much a finding matters.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Advice, or an action after failback.
    Info,
    /// It may run, but the user must know.
    Warning,
    /// Stops reprotect or failback for what it concerns.
    Blocker,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Blocker => "blocker",
        })
    }
}

/// The family a rule belongs to; the prefix of its ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// LOC: original or alternate location.
    Location,
    /// PRE: prerequisites.
    Prerequisite,
    /// PS: process server.
    ProcessServer,
    /// MT: master target.
    MasterTarget,
    /// RET: retention volume.
    Retention,
    /// POL: failback policy.
    Policy,
    /// GRP: replication groups and recovery plans.
    Group,
    /// FO: failover and commit.
    Failover,
    /// NET: connectivity.
    Connectivity,
    /// OPS: known problems.
    Operations,
    /// EXT: further rules from Microsoft's failback documentation.
    External,
}

/// A catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// The stable ID.
    pub id: RuleId,
    /// Its family.
    pub family: Family,
    /// Its severity when it holds.
    pub severity: Severity,
    /// When the severity applies only to one location: `original location` or
    /// `alternate location`; empty otherwise.
    pub scope: &'static str,
    /// What the rule says.
    pub text: &'static str,
    /// The usual fix.
    pub remediation: &'static str,
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RuleId::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown rule ID \"{s}\"")))
    }
}

impl JsonSchema for RuleId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RuleId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let ids: Vec<&str> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
        schemars::json_schema!({ "type": "string", "enum": ids })
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every rule of the catalog, in order (what `failback rules` prints).
pub fn catalog() -> impl Iterator<Item = &'static RuleInfo> {
    RuleId::ALL.iter().map(|r| r.info())
}

/// What a finding is about.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    /// The estate as a whole.
    Estate,
    /// A protected item.
    Item(String),
    /// A replication group.
    Group(String),
    /// The configuration server.
    ConfigurationServer(String),
    /// A process server.
    ProcessServer(String),
    /// A master target (or reprotect agent).
    MasterTarget(String),
    /// A vCenter.
    VCenter(String),
    /// An ESX host.
    Host(String),
    /// A datastore.
    Datastore(String),
    /// An Azure network.
    Network(String),
    /// A replication policy.
    Policy(String),
}

impl Subject {
    /// Whether a blocker on this subject stops every item: the estate, the configuration
    /// server and the policies.
    pub fn is_global(&self) -> bool {
        matches!(
            self,
            Subject::Estate | Subject::ConfigurationServer(_) | Subject::Policy(_)
        )
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Estate => f.write_str("estate"),
            Subject::Item(x) => write!(f, "item {x}"),
            Subject::Group(x) => write!(f, "group {x}"),
            Subject::ConfigurationServer(x) => write!(f, "configuration server {x}"),
            Subject::ProcessServer(x) => write!(f, "process server {x}"),
            Subject::MasterTarget(x) => write!(f, "master target {x}"),
            Subject::VCenter(x) => write!(f, "vCenter {x}"),
            Subject::Host(x) => write!(f, "host {x}"),
            Subject::Datastore(x) => write!(f, "datastore {x}"),
            Subject::Network(x) => write!(f, "network {x}"),
            Subject::Policy(x) => write!(f, "policy {x}"),
        }
    }
}

/// One rule holding against one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// The rule.
    pub rule: RuleId,
    /// How much it matters here.
    pub severity: Severity,
    /// What it is about.
    pub subject: Subject,
    /// What holds, with the names and figures involved.
    pub message: String,
    /// How to fix it.
    pub remediation: String,
    /// True when the rule could not be decided because a fact is missing from the estate;
    /// the finding then carries the rule's severity, so an undecided blocker blocks.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
}

impl Finding {
    /// A finding with the rule's own severity and remediation.
    pub fn new(rule: RuleId, subject: Subject, message: impl Into<String>) -> Self {
        let info = rule.info();
        Finding {
            rule,
            severity: info.severity,
            subject,
            message: message.into(),
            remediation: info.remediation.to_string(),
            unknown: false,
        }
    }

    /// A finding for a rule that cannot be decided: `fact` is the missing fact.
    pub fn unknown(rule: RuleId, subject: Subject, fact: &str) -> Self {
        let mut f = Finding::new(rule, subject, format!("unknown: fact {fact} missing"));
        f.remediation = format!("add {fact} to the estate (rediscover), then assess again");
        f.unknown = true;
        f
    }

    /// The same finding with another severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The same finding with a specific remediation.
    pub fn with_remediation(mut self, remediation: impl Into<String>) -> Self {
        self.remediation = remediation.into();
        self
    }
}
