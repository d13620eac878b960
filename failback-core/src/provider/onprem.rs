//! The on-premises side: what vSphere offers for failback.

use std::fmt::Debug;
use std::net::IpAddr;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::estate::Estate;
use crate::{Error, ErrorKind, Result};

/// What an on-premises provider supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OnPremCapability {
    /// Discovery of hosts, licences, datastores, VMs, snapshots, master target settings
    /// and account privileges.
    pub discover: bool,
    /// A VM's power and guest state and its NIC/IP configuration.
    pub guest_info: bool,
    /// Creating VMs (a vendor's own replication).
    pub create_vm: bool,
    /// Attaching and detaching disks.
    pub disks: bool,
    /// Setting configuration parameters (`disk.enableUUID`).
    pub config_params: bool,
    /// Powering VMs on and off.
    pub power: bool,
}

/// A NIC as the guest reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestNic {
    /// NIC name.
    pub name: String,
    /// Its address.
    pub ip_address: Option<IpAddr>,
    /// Whether the address comes from DHCP.
    pub dhcp: bool,
}

/// A VM's power and guest state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmRuntime {
    /// The VM's id.
    pub vm: String,
    /// Powered on.
    pub powered_on: bool,
    /// The guest OS runs (VMware Tools answer); `None` when unknown.
    pub guest_running: Option<bool>,
    /// Its NICs as the guest sees them.
    pub nics: Vec<GuestNic>,
    /// Installed packages, when the guest tells (OPS-002).
    pub packages: Option<Vec<String>>,
}

/// A new VM (a vendor's own replication).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmSpec {
    /// VM name.
    pub name: String,
    /// Host id.
    pub host: String,
    /// Datastore id.
    pub datastore: String,
    /// CPUs.
    pub cpus: u32,
    /// Memory in MiB.
    pub memory_mib: u64,
}

fn unsupported(what: &str) -> Error {
    Error::provider(
        "on-prem",
        ErrorKind::NotSupported,
        format!("{what} is not supported by this provider"),
    )
}

/// The on-premises side of failback: discovery of the on-premises half of the estate, the
/// reads that verify a failback (the VM runs, its addresses), and the operations a vendor's
/// own replication needs, each behind a capability.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait OnPremProvider: Send + Sync + Debug + 'static {
    /// Short name for messages (`vsphere`, `lab`).
    fn name(&self) -> &str;

    /// What this provider supports.
    fn capability(&self) -> OnPremCapability;

    /// The on-premises half of the estate: vCenters with the discovery account's
    /// privileges, hosts with licences, datastores, VMs with snapshots and disks, and the
    /// master targets' VMware settings. The Azure fields are left empty.
    async fn discover(&self) -> Result<Estate>;

    /// The runtime state of the VM an item failed back into, found by the item's id or
    /// name; `None` when no such VM exists.
    async fn vm_runtime(&self, item: &str) -> Result<Option<VmRuntime>>;

    /// Create a VM. Needs `create_vm`.
    async fn create_vm(&self, _spec: &VmSpec) -> Result<String> {
        Err(unsupported("creating a VM"))
    }

    /// Attach an existing disk file to a VM. Needs `disks`.
    async fn attach_disk(&self, _vm: &str, _disk_path: &str) -> Result<()> {
        Err(unsupported("attaching a disk"))
    }

    /// Detach a disk from a VM. Needs `disks`.
    async fn detach_disk(&self, _vm: &str, _disk_path: &str) -> Result<()> {
        Err(unsupported("detaching a disk"))
    }

    /// Set a VMware configuration parameter. Needs `config_params`.
    async fn set_config_param(&self, _vm: &str, _key: &str, _value: &str) -> Result<()> {
        Err(unsupported("setting a configuration parameter"))
    }

    /// Power a VM on or off. Needs `power`.
    async fn set_power(&self, _vm: &str, _on: bool) -> Result<()> {
        Err(unsupported("powering a VM"))
    }
}
