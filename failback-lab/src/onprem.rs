//! The lab's on-premises side: vSphere in memory.

use std::sync::Arc;

use async_trait::async_trait;

use chrono::{DateTime, Utc};

use super::persist::Call;
use super::state::{LabState, Shared};
use super::PROVIDER;
use failback_core::estate::{Disk, Estate, OnPremVm};
use failback_core::provider::{OnPremCapability, OnPremProvider, VmRuntime, VmSpec};
use failback_core::{Error, ErrorKind, Result};

impl LabState {
    /// Create an on-premises VM (powered off) on a known host and datastore, under a name
    /// no VM has.
    pub(crate) fn create_vm(&mut self, name: &str, host: &str, datastore: &str) -> Result<String> {
        if !self.estate.hosts.iter().any(|h| h.id == host) {
            return Err(err(
                ErrorKind::InvalidInput,
                format!("host {host} is not known"),
            ));
        }
        if !self.estate.datastores.iter().any(|d| d.id == datastore) {
            return Err(err(
                ErrorKind::InvalidInput,
                format!("datastore {datastore} is not known"),
            ));
        }
        if self.estate.vms.iter().any(|v| v.name == name) {
            return Err(err(
                ErrorKind::Conflict,
                format!("a VM named {name} already exists"),
            ));
        }
        let id = self.new_vm_id();
        self.add_vm(
            OnPremVm {
                id: id.clone(),
                name: name.to_string(),
                host: host.to_string(),
                datastores: vec![datastore.to_string()],
                snapshots: Some(0),
                disks: Vec::new(),
                moved_from_nfs: false,
            },
            false,
        );
        Ok(id)
    }

    /// Attach a disk to a VM.
    pub(crate) fn attach_disk(&mut self, vm: &str, disk_path: &str) -> Result<()> {
        let Some(&v) = self.vm_index.get(vm) else {
            return Err(err(ErrorKind::NotFound, format!("VM {vm} does not exist")));
        };
        let disks = &mut self.estate.vms[v].disks;
        if disks.iter().any(|d| d.name == disk_path) {
            return Err(err(
                ErrorKind::Conflict,
                format!("{disk_path} is already attached to {vm}"),
            ));
        }
        disks.push(Disk {
            name: disk_path.to_string(),
            capacity_bytes: 0,
            rdm: false,
        });
        self.dirty = true;
        Ok(())
    }

    /// Detach a disk from a VM.
    pub(crate) fn detach_disk(&mut self, vm: &str, disk_path: &str) -> Result<()> {
        let Some(&v) = self.vm_index.get(vm) else {
            return Err(err(ErrorKind::NotFound, format!("VM {vm} does not exist")));
        };
        let disks = &mut self.estate.vms[v].disks;
        let before = disks.len();
        disks.retain(|d| d.name != disk_path);
        if disks.len() == before {
            return Err(err(
                ErrorKind::NotFound,
                format!("{disk_path} is not attached to {vm}"),
            ));
        }
        self.dirty = true;
        Ok(())
    }

    /// Set a configuration parameter of a powered-off VM.
    pub(crate) fn set_config_param(&mut self, vm: &str, key: &str, value: &str) -> Result<()> {
        let Some(p) = self.power.get_mut(vm) else {
            return Err(err(ErrorKind::NotFound, format!("VM {vm} does not exist")));
        };
        // vSphere changes configuration parameters of a powered-off VM only (PRE-007).
        if p.powered_on {
            return Err(err(
                ErrorKind::Conflict,
                format!("power {vm} off before changing its configuration parameters"),
            ));
        }
        p.config.insert(key.to_string(), value.to_string());
        self.dirty = true;
        Ok(())
    }

    /// Power a VM on or off.
    pub(crate) fn set_power(&mut self, vm: &str, on: bool) -> Result<()> {
        match self.power.get_mut(vm) {
            Some(p) => {
                p.powered_on = on;
                self.dirty = true;
                Ok(())
            }
            None => Err(err(ErrorKind::NotFound, format!("VM {vm} does not exist"))),
        }
    }
}

/// The lab's vSphere: implements [`OnPremProvider`] over the lab's state, every capability
/// included (creating VMs, disks, configuration parameters and power are cheap in memory).
pub struct LabOnPrem {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for LabOnPrem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabOnPrem")
            .field("seed", &self.shared.settings.seed)
            .finish_non_exhaustive()
    }
}

fn err(kind: ErrorKind, message: String) -> Error {
    Error::provider(PROVIDER, kind, message)
}

impl LabOnPrem {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        LabOnPrem { shared }
    }

    /// Make a mutation durable before it returns: its record when it was accepted (a
    /// refused one changed nothing; the jobs' time, when they advanced, is written then).
    fn commit(&self, st: &mut LabState, now: DateTime<Utc>, call: Call, ok: bool) -> Result<()> {
        if ok {
            self.shared.log(st, now, call, true)
        } else {
            self.shared.save(st, now)
        }
    }
}

#[async_trait]
impl OnPremProvider for LabOnPrem {
    fn name(&self) -> &str {
        PROVIDER
    }

    fn capability(&self) -> OnPremCapability {
        OnPremCapability {
            discover: true,
            guest_info: true,
            create_vm: true,
            disks: true,
            config_params: true,
            power: true,
        }
    }

    async fn discover(&self) -> Result<Estate> {
        self.shared.enter("onprem.discover", "", false).await?;
        let (st, now) = self.shared.read()?;
        let mut e = st.snapshot(now);
        // The Azure half is the other provider's.
        e.configuration_server = None;
        e.replication_appliance = None;
        e.connectivity = Default::default();
        e.policies.clear();
        e.azure_networks.clear();
        e.process_servers.clear();
        e.items.clear();
        e.recovery_plans.clear();
        Ok(e)
    }

    async fn vm_runtime(&self, item: &str) -> Result<Option<VmRuntime>> {
        self.shared.enter("onprem.vm_runtime", item, false).await?;
        let (st, _) = self.shared.read()?;
        let silent = &self.shared.settings.silent_guests;
        if let Some(i) = st.item_by_id_or_name(item) {
            return Ok(st.vm_runtime(i, silent));
        }
        // A VM (or master target) named directly: power only.
        let quiet = !silent.is_empty() && st.silent_vms(silent).contains(item);
        Ok(st.power.get(item).map(|p| VmRuntime {
            vm: item.to_string(),
            powered_on: p.powered_on,
            guest_running: Some(p.powered_on && !quiet),
            nics: Vec::new(),
            packages: None,
        }))
    }

    async fn create_vm(&self, spec: &VmSpec) -> Result<String> {
        self.shared
            .enter("onprem.create_vm", &spec.name, false)
            .await?;
        let call = Call::CreateVm {
            name: spec.name.clone(),
            host: spec.host.clone(),
            datastore: spec.datastore.clone(),
        };
        let (mut st, now) = self.shared.lock();
        let done = st.create_vm(&spec.name, &spec.host, &spec.datastore);
        self.commit(&mut st, now, call, done.is_ok())?;
        done
    }

    async fn attach_disk(&self, vm: &str, disk_path: &str) -> Result<()> {
        self.shared.enter("onprem.attach_disk", vm, false).await?;
        let (mut st, now) = self.shared.lock();
        let done = st.attach_disk(vm, disk_path);
        let call = Call::AttachDisk {
            vm: vm.to_string(),
            disk: disk_path.to_string(),
        };
        self.commit(&mut st, now, call, done.is_ok())?;
        done
    }

    async fn detach_disk(&self, vm: &str, disk_path: &str) -> Result<()> {
        self.shared.enter("onprem.detach_disk", vm, false).await?;
        let (mut st, now) = self.shared.lock();
        let done = st.detach_disk(vm, disk_path);
        let call = Call::DetachDisk {
            vm: vm.to_string(),
            disk: disk_path.to_string(),
        };
        self.commit(&mut st, now, call, done.is_ok())?;
        done
    }

    async fn set_config_param(&self, vm: &str, key: &str, value: &str) -> Result<()> {
        self.shared
            .enter("onprem.set_config_param", vm, false)
            .await?;
        let (mut st, now) = self.shared.lock();
        let done = st.set_config_param(vm, key, value);
        let call = Call::SetConfigParam {
            vm: vm.to_string(),
            key: key.to_string(),
            value: value.to_string(),
        };
        self.commit(&mut st, now, call, done.is_ok())?;
        done
    }

    async fn set_power(&self, vm: &str, on: bool) -> Result<()> {
        self.shared.enter("onprem.set_power", vm, false).await?;
        let (mut st, now) = self.shared.lock();
        let done = st.set_power(vm, on);
        let call = Call::SetPower {
            vm: vm.to_string(),
            on,
        };
        self.commit(&mut st, now, call, done.is_ok())?;
        done
    }
}
