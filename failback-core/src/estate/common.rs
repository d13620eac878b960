//! Types shared by both halves of the estate.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An operating system family. Master targets and items must match (EXT-006).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OsFamily {
    /// Microsoft Windows.
    Windows,
    /// Linux.
    Linux,
}

impl std::fmt::Display for OsFamily {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OsFamily::Windows => "Windows",
            OsFamily::Linux => "Linux",
        })
    }
}

/// An operating system: family and version as reported (for example `CentOS 6.6`,
/// `Windows Server 2012 R2`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Os {
    /// Windows or Linux.
    pub family: OsFamily,
    /// Distribution or edition and version, free text.
    #[serde(default)]
    pub version: Option<String>,
}

/// A file system type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileSystem {
    /// NTFS.
    Ntfs,
    /// ReFS.
    Refs,
    /// FAT (not allowed for retention, RET-004).
    Fat,
    /// FAT32 (not allowed for retention, RET-004).
    Fat32,
    /// exFAT.
    Exfat,
    /// ext3.
    Ext3,
    /// ext4.
    Ext4,
    /// XFS (a Linux master target then needs xfsprogs, MT-003).
    Xfs,
    /// ReiserFS (a Linux master target then needs the ReiserFS module and tools, MT-003).
    Reiserfs,
    /// Btrfs.
    Btrfs,
    /// Anything else.
    Other,
}

/// Azure deployment model (PS-002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentModel {
    /// Classic (Azure Service Manager).
    Classic,
    /// Azure Resource Manager.
    ResourceManager,
}

impl std::fmt::Display for DeploymentModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DeploymentModel::Classic => "classic",
            DeploymentModel::ResourceManager => "Resource Manager",
        })
    }
}

/// A virtual or physical disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Disk {
    /// Disk name or id, unique within its machine.
    pub name: String,
    /// Provisioned size in bytes.
    pub capacity_bytes: u64,
    /// A raw device mapping (EXT-010).
    #[serde(default)]
    pub rdm: bool,
}
