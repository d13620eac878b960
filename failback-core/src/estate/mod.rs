//! The estate: everything readiness and planning need to know about both sites, as one
//! JSON document. See `docs/estate.md` for the format and `schema/estate.schema.json` for
//! its JSON Schema.
//!
//! ```
//! use failback_core::estate::Estate;
//!
//! let text = r#"{"format": "failback-estate/2", "captured_at": "2026-01-01T00:00:00Z"}"#;
//! let err = Estate::from_json_str(text).unwrap_err();
//! assert!(err.to_string().contains("format"));
//! ```

mod azure;
mod combine;
mod common;
mod index;
pub mod locate;
mod onprem;
mod supplement;
mod validate;

pub use azure::*;
pub use common::*;
pub use index::EstateIndex;
pub use onprem::*;

use std::path::Path;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, InputError, Result};
use locate::{locate, FieldPath};

/// The `format` value this version reads and writes.
pub const FORMAT: &str = "failback-estate/1";

/// Which ASR provider protects the estate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flavor {
    /// Configuration server, process server and master target (`InMage` / `InMageAzureV2`).
    #[default]
    Classic,
    /// Replication appliance with a reprotect agent (`InMageRcm` / `InMageRcmFailback`).
    Modernized,
}

/// The whole estate: both sites as discovered at `captured_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Estate {
    /// Document format and version: `failback-estate/1`.
    pub format: String,
    /// A name for the estate, free text.
    #[serde(default)]
    pub name: Option<String>,
    /// When the facts were gathered; rules about elapsed time (PS-005, EXT-008, EXT-014,
    /// PRE-006) measure from here.
    pub captured_at: DateTime<Utc>,
    /// Classic or modernized provider.
    #[serde(default)]
    pub flavor: Flavor,
    /// The Azure region the items failed over to (NET-003).
    #[serde(default)]
    pub azure_region: Option<String>,
    /// The configuration server (classic provider).
    #[serde(default)]
    pub configuration_server: Option<ConfigurationServer>,
    /// The replication appliance (modernized provider).
    #[serde(default)]
    pub replication_appliance: Option<ReplicationAppliance>,
    /// ExpressRoute; VPNs are per network.
    #[serde(default)]
    pub connectivity: Connectivity,
    /// Replication policies in the vault.
    #[serde(default)]
    pub policies: Vec<PolicyRecord>,
    /// Azure virtual networks.
    #[serde(default)]
    pub azure_networks: Vec<AzureNetwork>,
    /// Process servers.
    #[serde(default)]
    pub process_servers: Vec<ProcessServer>,
    /// vCenter servers.
    #[serde(default)]
    pub vcenters: Vec<VCenter>,
    /// ESX hosts.
    #[serde(default)]
    pub hosts: Vec<EsxHost>,
    /// Datastores.
    #[serde(default)]
    pub datastores: Vec<Datastore>,
    /// Master targets (and modernized reprotect agents).
    #[serde(default)]
    pub master_targets: Vec<MasterTarget>,
    /// On-premises VMs that items may fail back into.
    #[serde(default)]
    pub vms: Vec<OnPremVm>,
    /// Protected items.
    #[serde(default)]
    pub items: Vec<ProtectedItem>,
    /// Recovery plans.
    #[serde(default)]
    pub recovery_plans: Vec<RecoveryPlan>,
}

impl Estate {
    /// An empty estate of the current format, captured at `captured_at`.
    pub fn empty(captured_at: DateTime<Utc>) -> Self {
        Estate {
            format: FORMAT.to_string(),
            name: None,
            captured_at,
            flavor: Flavor::Classic,
            azure_region: None,
            configuration_server: None,
            replication_appliance: None,
            connectivity: Connectivity::default(),
            policies: Vec::new(),
            azure_networks: Vec::new(),
            process_servers: Vec::new(),
            vcenters: Vec::new(),
            hosts: Vec::new(),
            datastores: Vec::new(),
            master_targets: Vec::new(),
            vms: Vec::new(),
            items: Vec::new(),
            recovery_plans: Vec::new(),
        }
    }

    /// Read and validate an estate file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json_str(&text).map_err(|e| e.in_file(path))
    }

    /// Parse and validate an estate document. Every error names the path of the bad field
    /// and, where the text shows it, its line and column.
    pub fn from_json_str(text: &str) -> Result<Self> {
        let estate: Estate = parse_document("estate", text, FORMAT)?;
        Problem::check("estate", text, validate::validate(&estate))?;
        Ok(estate)
    }

    /// Check an estate built in code the way a loaded one is checked.
    pub fn validate(&self) -> Result<()> {
        Problem::check("estate", "", validate::validate(self))
    }

    /// The estate as pretty JSON.
    pub fn to_json_pretty(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// A problem found after parsing, before it is placed in the text.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub path: FieldPath,
    pub message: String,
    pub fix: String,
}

impl Problem {
    /// `Ok` when there is no problem, else every problem placed in `text` (no line and
    /// column when the text is empty).
    pub(crate) fn check(document: &'static str, text: &str, problems: Vec<Problem>) -> Result<()> {
        if problems.is_empty() {
            return Ok(());
        }
        Err(Error::InvalidInput(
            problems
                .into_iter()
                .map(|p| p.into_input_error(document, text))
                .collect(),
        ))
    }

    pub(crate) fn into_input_error(self, document: &'static str, text: &str) -> InputError {
        // An absent field (a network an Azure process server lacks) has no text of its
        // own: point at the nearest enclosing value that the text has.
        let pos = locate::locate_nearest(text, &self.path);
        InputError {
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            ..InputError::new(document, self.path.to_string(), self.message, self.fix)
        }
    }
}

/// Parse a versioned JSON document: check `format` first, then the whole document with
/// the path of the first bad field.
pub(crate) fn parse_document<T: serde::de::DeserializeOwned>(
    document: &'static str,
    text: &str,
    format: &str,
) -> Result<T> {
    let single = |path: String, line, column, message: String, fix: String| {
        Error::InvalidInput(vec![InputError {
            line,
            column,
            ..InputError::new(document, path, message, fix)
        }])
    };
    // Syntax first, so a truncated document says where it broke.
    let probe: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        single(
            String::new(),
            Some(e.line()),
            // serde_json says column 0 right after a newline; columns here are 1-based.
            Some(e.column().max(1)),
            format!("not valid JSON: {}", strip_position(&e.to_string())),
            "correct the JSON at that line and column (a truncated file ends early)".to_string(),
        )
    })?;
    let at = |p: &str| locate(text, &FieldPath::parse(p));
    let serde_json::Value::Object(top) = probe else {
        // A struct would also deserialize from an array: accept objects only.
        let pos = at("");
        return Err(single(
            String::new(),
            pos.map(|p| p.0),
            pos.map(|p| p.1),
            "the document is not a JSON object".into(),
            format!("make the document an object starting with {{\"format\": \"{format}\""),
        ));
    };
    match top.get("format").cloned() {
        None => {
            let pos = at("");
            return Err(single(
                "format".into(),
                pos.map(|p| p.0),
                pos.map(|p| p.1),
                "missing".into(),
                format!("add \"format\": \"{format}\" at the top level"),
            ));
        }
        Some(serde_json::Value::String(f)) if f == format => {}
        Some(other) => {
            let pos = at("format");
            return Err(single(
                "format".into(),
                pos.map(|p| p.0),
                pos.map(|p| p.1),
                format!("unsupported format {other}; this version reads \"{format}\""),
                format!("convert the document to \"{format}\" (see docs/{document}.md)"),
            ));
        }
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let mut path = if path == "." { String::new() } else { path };
        let inner = e.into_inner();
        let message = strip_position(&inner.to_string());
        // serde names the object for a missing or repeated member: name the member, and
        // point at the object (missing) or at the repeat, which serde saw last (duplicate).
        let member = |prefix: &str| {
            let k = message.strip_prefix(prefix)?.strip_prefix('`')?;
            let k = k.strip_suffix('`')?;
            Some(if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            })
        };
        let mut fix = format!(
            "correct the value to the type and values docs/{document}.md gives for this field"
        );
        let pos = if let Some(p) = member("missing field ") {
            let pos = at(&path);
            path = p;
            fix = format!("add the field; docs/{document}.md gives its type and values");
            pos
        } else if let Some(p) = member("duplicate field ") {
            path = p;
            fix = "keep one member of that name in the object".into();
            None
        } else if message.starts_with("unknown field") {
            fix = format!(
                "rename the field to one of those the message lists (a typo?) or remove it; docs/{document}.md lists the fields"
            );
            at(&path)
        } else if message.starts_with("unknown variant") {
            fix = format!(
                "use one of the values the message lists; docs/{document}.md says what each means"
            );
            at(&path)
        } else {
            at(&path)
        };
        let (line, column) = match pos {
            Some((l, c)) => (Some(l), Some(c)),
            None => (Some(inner.line()), Some(inner.column().max(1))),
        };
        single(path, line, column, message, fix)
    })
}

/// serde_json appends " at line L column C"; the error carries those separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}
