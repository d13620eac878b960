//! Retention volume eligibility (RET-*): which volumes of a master target may hold the
//! failback recovery points, and every reason the others may not.
//!
//! ```
//! use failback_core::estate::OsFamily;
//! use failback_core::retention::default_volume;
//!
//! assert_eq!(default_volume(OsFamily::Windows), "R:");
//! assert_eq!(default_volume(OsFamily::Linux), "/mnt/retention");
//! ```

use serde::Serialize;

use crate::estate::{FileSystem, MasterTarget, OsFamily, Volume, VolumeUsage};
use crate::rules::RuleId;

/// The default retention volume of a master target of this OS family (RET-006).
pub fn default_volume(family: OsFamily) -> &'static str {
    match family {
        OsFamily::Windows => "R:",
        OsFamily::Linux => "/mnt/retention",
    }
}

/// One reason a volume is not eligible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The rule that excludes it.
    pub rule: RuleId,
    /// Why, in words.
    pub message: String,
}

/// Whether one volume is eligible for retention, with every reason it is not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolumeEligibility {
    /// The volume name.
    pub volume: String,
    /// Eligible when no reason holds.
    pub eligible: bool,
    /// Whether it is the OS default (`R:` / `/mnt/retention`).
    pub is_default: bool,
    /// Free bytes.
    pub free_bytes: u64,
    /// Every rule that excludes it.
    pub reasons: Vec<Reason>,
}

/// The reasons one volume of `mt` is not eligible (empty when it is).
pub fn reasons(mt: &MasterTarget, v: &Volume) -> Vec<Reason> {
    let mut r = Vec::new();
    let mut add = |rule, message: String| r.push(Reason { rule, message });
    match v.usage {
        VolumeUsage::None | VolumeUsage::Retention => {}
        VolumeUsage::ReplicationTarget => add(
            RuleId::Ret001,
            format!("{} is used as a replication target", v.name),
        ),
        VolumeUsage::Other => add(
            RuleId::Ret001,
            format!("{} is used for another purpose", v.name),
        ),
    }
    if v.locked {
        add(RuleId::Ret002, format!("{} is in locked mode", v.name));
    }
    if mt.cache_volume.as_deref() == Some(v.name.as_str()) {
        add(
            RuleId::Ret003,
            format!("{} is the master target's cache volume", v.name),
        );
    }
    if matches!(v.file_system, FileSystem::Fat | FileSystem::Fat32) {
        add(RuleId::Ret004, format!("{} is formatted FAT/FAT32", v.name));
    }
    if v.capacity_bytes == 0 {
        add(RuleId::Ret005, format!("{} has zero capacity", v.name));
    }
    r
}

/// Eligibility of every volume of a master target, in the order listed.
pub fn eligibility(mt: &MasterTarget) -> Vec<VolumeEligibility> {
    let default = default_volume(mt.os.family);
    mt.volumes
        .iter()
        .map(|v| {
            let reasons = reasons(mt, v);
            VolumeEligibility {
                volume: v.name.clone(),
                eligible: reasons.is_empty(),
                is_default: v.name == default,
                free_bytes: v.free_bytes,
                reasons,
            }
        })
        .collect()
}
