//! Typed operations on a VM by its reference: the mutations a failback makes on the
//! master target (hot-adding a replica's existing disk, removing it while keeping the
//! file, `disk.EnableUUID`), power, snapshots and destruction, each a vim25 task awaited
//! with [`Client::wait_task`]; and the reads they are checked with (the VM's disks, its
//! extraConfig, a datastore folder's files).
//!
//! A task that fails is its fault as the error ([`Client::wait_task`]: kind by fault
//! type, a [`JobError`](failback_core::JobError) with the type and message); a call
//! the server refuses outright (a read-only user: `NoPermission` naming the privilege,
//! such as `VirtualMachine.Config.AddExistingDisk`) is its SOAP fault.

use std::time::Duration;

use failback_core::{Error, ErrorKind, Result};

use crate::client::Client;
use crate::soap::{
    ManagedObjectReference, Node, ObjectContent, ObjectSpec, PropertyFilterSpec, PropertySpec,
    Request, TaskInfo, Value, PROVIDER,
};

/// How long the operations of this module wait for their task before they give up with
/// [`Error::Deadline`] (the task may still run): ten minutes. Use
/// [`Client::run_task`] for another deadline.
pub const TASK_DEADLINE: Duration = Duration::from_secs(600);

/// A virtual disk of a VM (a `VirtualDisk` in `config.hardware.device`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VirtualDisk {
    /// The device key (unique in the VM; 2000 and up for disks).
    pub key: i32,
    /// The key of the controller it hangs on.
    pub controller_key: Option<i32>,
    /// Its unit number on that controller.
    pub unit_number: Option<i32>,
    /// Its file (`[datastore1] vm/vm.vmdk`), for a file-backed disk.
    pub file_name: Option<String>,
    /// The backing's type (`VirtualDiskFlatVer2BackingInfo`, …).
    pub backing_type: Option<String>,
    /// The disk mode (`persistent`, `independent_persistent`, …), when the backing says.
    pub disk_mode: Option<String>,
    /// Its capacity in bytes (`capacityInBytes`, else `capacityInKB` × 1024).
    pub capacity_bytes: Option<i64>,
}

impl VirtualDisk {
    /// Reads a `VirtualDisk` device element.
    fn from_node(node: &Node<'_>) -> Result<VirtualDisk> {
        let int = |name: &str| -> Result<Option<i32>> {
            match node.opt_i64(name)? {
                None => Ok(None),
                Some(v) => i32::try_from(v).map(Some).map_err(|_| {
                    Error::provider(
                        PROVIDER,
                        ErrorKind::Other,
                        format!("{}.{name}: {v} is no device number", node.path()),
                    )
                }),
            }
        };
        let key = int("key")?.ok_or_else(|| {
            Error::provider(
                PROVIDER,
                ErrorKind::Other,
                format!("{}: a disk without a key", node.path()),
            )
        })?;
        let backing = node.child("backing");
        let capacity_bytes = match node.opt_i64("capacityInBytes")? {
            Some(b) => Some(b),
            None => node
                .opt_i64("capacityInKB")?
                .map(|kb| kb.saturating_mul(1024)),
        };
        Ok(VirtualDisk {
            key,
            controller_key: int("controllerKey")?,
            unit_number: int("unitNumber")?,
            file_name: backing
                .as_ref()
                .and_then(|b| b.opt_string("fileName"))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            backing_type: backing
                .as_ref()
                .and_then(|b| b.xsi_type())
                .map(str::to_string),
            disk_mode: backing
                .as_ref()
                .and_then(|b| b.opt_string("diskMode"))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            capacity_bytes,
        })
    }
}

/// A file in a datastore folder, as the datastore browser lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatastoreFile {
    /// Its name in the folder (`vm.vmdk`).
    pub name: String,
    /// Its datastore path (`[datastore1] vm/vm.vmdk`).
    pub path: String,
    /// Its size in bytes, when the server says.
    pub size: Option<i64>,
    /// The browser's file type (`VmDiskFileInfo`, `FolderFileInfo`, `FileInfo`, …).
    pub file_type: String,
}

/// Writes a `VirtualDisk` device: key, backing (a flat version 2 file), controller,
/// unit, capacity (`capacityInKB` is required by the WSDL; 0 for an existing file).
fn write_disk(
    w: &mut Request,
    key: i32,
    file_name: &str,
    disk_mode: &str,
    controller_key: Option<i32>,
    unit_number: Option<i32>,
    capacity_kb: i64,
) {
    w.typed_element("device", "VirtualDisk", |d| {
        d.int("key", key.into());
        d.typed_element("backing", "VirtualDiskFlatVer2BackingInfo", |b| {
            b.text("fileName", file_name).text("diskMode", disk_mode);
        });
        if let Some(c) = controller_key {
            d.int("controllerKey", c.into());
        }
        if let Some(u) = unit_number {
            d.int("unitNumber", u.into());
        }
        d.int("capacityInKB", capacity_kb);
    });
}

/// The device change hot-adding an existing disk file: `add`, no `fileOperation` (with
/// `create` the server would make a new file, with `replace` empty the existing one).
fn add_existing_disk_change(
    spec: &mut Request,
    disk_path: &str,
    controller_key: i32,
    unit_number: i32,
) {
    spec.element("deviceChange", |c| {
        c.text("operation", "add");
        write_disk(
            c,
            -1,
            disk_path,
            "persistent",
            Some(controller_key),
            Some(unit_number),
            0,
        );
    });
}

/// The device change removing `disk` and keeping its file: `remove`, no
/// `fileOperation` (`destroy` would delete the file).
fn remove_disk_change(spec: &mut Request, disk: &VirtualDisk) {
    let capacity_kb = disk.capacity_bytes.map_or(0, |b| b / 1024);
    let file = disk.file_name.as_deref().unwrap_or_default();
    let mode = disk.disk_mode.as_deref().unwrap_or("persistent");
    spec.element("deviceChange", |c| {
        c.text("operation", "remove");
        write_disk(
            c,
            disk.key,
            file,
            mode,
            disk.controller_key,
            disk.unit_number,
            capacity_kb,
        );
    });
}

/// One `extraConfig` `OptionValue`, its value an `xsd:string`.
fn extra_config_option(spec: &mut Request, key: &str, value: &str) {
    spec.element("extraConfig", |o| {
        o.text("key", key).typed_text("value", "xsd:string", value);
    });
}

impl Client {
    /// Calls the task method `method` on `this` and waits for its task up to
    /// `deadline`: its info when it succeeds, its fault as the error when it fails.
    pub async fn run_task(
        &self,
        method: &str,
        this: &ManagedObjectReference,
        build_args: impl FnOnce(&mut Request),
        deadline: Duration,
    ) -> Result<TaskInfo> {
        let response = self.call(method, this, build_args).await?;
        let task = response.returnval().and_then(|r| r.as_moref())?;
        self.wait_task(&task, deadline).await
    }

    /// `ReconfigVM_Task` with the body `spec` writes inside `<spec>`.
    async fn reconfigure(
        &self,
        vm: &ManagedObjectReference,
        spec: impl FnOnce(&mut Request),
    ) -> Result<TaskInfo> {
        self.run_task(
            "ReconfigVM_Task",
            vm,
            |w| {
                w.element("spec", spec);
            },
            TASK_DEADLINE,
        )
        .await
    }

    /// Hot-adds an existing disk file (`[datastore1] dir/file.vmdk`, another VM's
    /// replica) to `vm` on the controller `controller_key` at `unit_number`: a device
    /// change `add` without `fileOperation` (nothing is created), a `VirtualDisk` backed
    /// by `VirtualDiskFlatVer2BackingInfo` in `persistent` mode. The user needs
    /// `VirtualMachine.Config.AddExistingDisk`; a file that is not there is a not-found
    /// error (`FileNotFound`), a taken unit the server's `InvalidDeviceSpec`.
    pub async fn reconfigure_add_existing_disk(
        &self,
        vm: &ManagedObjectReference,
        disk_path: &str,
        controller_key: i32,
        unit_number: i32,
    ) -> Result<TaskInfo> {
        self.reconfigure(vm, |s| {
            add_existing_disk_change(s, disk_path, controller_key, unit_number)
        })
        .await
    }

    /// Removes the disk `device_key` from `vm` and keeps its file: a device change
    /// `remove` without `fileOperation` (`destroy` would delete the file). The disk is
    /// read first: a key the VM does not have is a not-found error naming it (vcsim
    /// 0.24.2 accepts such a remove and does nothing; vCenter refuses it with
    /// `InvalidDeviceSpec`).
    pub async fn reconfigure_remove_disk_keep_file(
        &self,
        vm: &ManagedObjectReference,
        device_key: i32,
    ) -> Result<TaskInfo> {
        let disks = self.vm_disks(vm).await?;
        let Some(disk) = disks.into_iter().find(|d| d.key == device_key) else {
            return Err(Error::provider(
                PROVIDER,
                ErrorKind::NotFound,
                format!("{vm} has no disk with the device key {device_key}"),
            ));
        };
        self.reconfigure(vm, |s| remove_disk_change(s, &disk)).await
    }

    /// Sets the advanced setting `key` to `value` (`disk.EnableUUID` = `TRUE`): an
    /// `extraConfig` `OptionValue` with an `xsd:string` value. The user needs
    /// `VirtualMachine.Config.AdvancedConfig`.
    pub async fn set_extra_config(
        &self,
        vm: &ManagedObjectReference,
        key: &str,
        value: &str,
    ) -> Result<TaskInfo> {
        self.reconfigure(vm, |s| extra_config_option(s, key, value))
            .await
    }

    /// `PowerOnVM_Task`. A VM already on fails with `InvalidPowerState` (a conflict).
    pub async fn power_on(&self, vm: &ManagedObjectReference) -> Result<TaskInfo> {
        self.run_task("PowerOnVM_Task", vm, |_| {}, TASK_DEADLINE)
            .await
    }

    /// `PowerOffVM_Task` (a hard power-off, not a guest shutdown). A VM already off
    /// fails with `InvalidPowerState` (a conflict).
    pub async fn power_off(&self, vm: &ManagedObjectReference) -> Result<TaskInfo> {
        self.run_task("PowerOffVM_Task", vm, |_| {}, TASK_DEADLINE)
            .await
    }

    /// `Destroy_Task`: unregisters the VM and deletes its files, the disks attached to
    /// it included (remove a disk to keep first with
    /// [`reconfigure_remove_disk_keep_file`](Self::reconfigure_remove_disk_keep_file)).
    pub async fn destroy(&self, vm: &ManagedObjectReference) -> Result<TaskInfo> {
        self.run_task("Destroy_Task", vm, |_| {}, TASK_DEADLINE)
            .await
    }

    /// `CreateSnapshot_Task` named `name`, without memory and without quiescing the
    /// guest: the snapshot's reference.
    pub async fn create_snapshot(
        &self,
        vm: &ManagedObjectReference,
        name: &str,
    ) -> Result<ManagedObjectReference> {
        let info = self
            .run_task(
                "CreateSnapshot_Task",
                vm,
                |w| {
                    w.text("name", name)
                        .bool("memory", false)
                        .bool("quiesce", false);
                },
                TASK_DEADLINE,
            )
            .await?;
        match info.result {
            Some(Value::MoRef(snapshot)) => Ok(snapshot),
            other => Err(Error::provider(
                PROVIDER,
                ErrorKind::Other,
                format!(
                    "CreateSnapshot_Task on {vm} succeeded without a snapshot reference (result {})",
                    other.as_ref().map_or("none", Value::type_name)
                ),
            )),
        }
    }

    /// `RemoveSnapshot_Task` of one snapshot (its children stay): its changes are
    /// consolidated into the disks.
    pub async fn remove_snapshot(&self, snapshot: &ManagedObjectReference) -> Result<TaskInfo> {
        self.run_task(
            "RemoveSnapshot_Task",
            snapshot,
            |w| {
                w.bool("removeChildren", false);
            },
            TASK_DEADLINE,
        )
        .await
    }

    /// The properties `paths` of one object (a property it lacks is absent; one the
    /// server could not read is its fault).
    async fn properties(
        &self,
        obj: &ManagedObjectReference,
        paths: &[&str],
    ) -> Result<ObjectContent> {
        let objects = self
            .retrieve(PropertyFilterSpec::new(
                vec![PropertySpec::new(
                    obj.mo_type.clone(),
                    paths.iter().copied(),
                )],
                vec![ObjectSpec::object(obj.clone())],
            ))
            .await?;
        let Some(object) = objects.into_iter().next() else {
            return Err(Error::provider(
                PROVIDER,
                ErrorKind::NotFound,
                format!("{obj} is not there"),
            ));
        };
        if let Some(m) = object.missing.first() {
            return Err(Error::from(m.fault.clone()));
        }
        Ok(object)
    }

    /// The VM's virtual disks (`config.hardware.device` of type `VirtualDisk`), in
    /// device order.
    pub async fn vm_disks(&self, vm: &ManagedObjectReference) -> Result<Vec<VirtualDisk>> {
        let object = self.properties(vm, &["config.hardware.device"]).await?;
        let Some(devices) = object.get("config.hardware.device") else {
            return Ok(Vec::new());
        };
        devices
            .as_array()
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_object)
            .filter(|o| o.type_name == "VirtualDisk")
            .map(|o| VirtualDisk::from_node(&o.node()))
            .collect()
    }

    /// The VM's advanced settings (`config.extraConfig`) in the server's order, a
    /// non-string value as its text.
    pub async fn extra_config(&self, vm: &ManagedObjectReference) -> Result<Vec<(String, String)>> {
        let object = self.properties(vm, &["config.extraConfig"]).await?;
        let Some(options) = object.get("config.extraConfig") else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for o in options
            .as_array()
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_object)
        {
            let node = o.node();
            let key = node.string("key")?.trim().to_string();
            let value = node
                .child("value")
                .map(|v| v.text().trim().to_string())
                .unwrap_or_default();
            out.push((key, value));
        }
        Ok(out)
    }

    /// The value of one advanced setting (`disk.EnableUUID`); when the key repeats (vcsim
    /// appends rather than replaces), the last one wins.
    pub async fn extra_config_value(
        &self,
        vm: &ManagedObjectReference,
        key: &str,
    ) -> Result<Option<String>> {
        Ok(self
            .extra_config(vm)
            .await?
            .into_iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v))
    }

    /// The files in the folder `dir` (`vm`, or `""` for the top) of `datastore`,
    /// through its browser (`HostDatastoreBrowser.SearchDatastore_Task`, every name,
    /// with types and sizes). The user needs `Datastore.Browse`; a folder that is not
    /// there is a not-found error (`FileNotFound`).
    pub async fn datastore_files(
        &self,
        datastore: &ManagedObjectReference,
        dir: &str,
    ) -> Result<Vec<DatastoreFile>> {
        let object = self.properties(datastore, &["name", "browser"]).await?;
        let name = object.get("name").and_then(Value::as_str).ok_or_else(|| {
            Error::provider(
                PROVIDER,
                ErrorKind::Other,
                format!("{datastore} has no name"),
            )
        })?;
        let browser = object
            .get("browser")
            .and_then(Value::as_moref)
            .cloned()
            .ok_or_else(|| {
                Error::provider(
                    PROVIDER,
                    ErrorKind::NotSupported,
                    format!("{datastore} ({name}) has no datastore browser"),
                )
            })?;
        let dir = dir.trim_matches('/');
        let folder = if dir.is_empty() {
            format!("[{name}]")
        } else {
            format!("[{name}] {dir}")
        };
        let info = self
            .run_task(
                "SearchDatastore_Task",
                &browser,
                |w| {
                    w.text("datastorePath", &folder);
                    w.element("searchSpec", |s| {
                        s.element("details", |d| {
                            d.bool("fileType", true)
                                .bool("fileSize", true)
                                .bool("modification", false)
                                .bool("fileOwner", false);
                        });
                        s.text("matchPattern", "*");
                    });
                },
                TASK_DEADLINE,
            )
            .await?;
        let Some(Value::Object(result)) = info.result else {
            return Ok(Vec::new());
        };
        let node = result.node();
        let mut files = Vec::new();
        for f in node.children("file") {
            let file_name = f.string("path")?.trim().to_string();
            let path = if dir.is_empty() {
                format!("[{name}] {file_name}")
            } else {
                format!("[{name}] {dir}/{file_name}")
            };
            files.push(DatastoreFile {
                path,
                size: f.opt_i64("fileSize")?,
                file_type: f.xsi_type().unwrap_or("FileInfo").to_string(),
                name: file_name,
            });
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn spec(write: impl FnOnce(&mut Request)) -> String {
        let vm = ManagedObjectReference::new("VirtualMachine", "vm-42");
        let mut req = Request::new("ReconfigVM_Task", &vm);
        req.element("spec", write);
        req.finish()
    }

    #[test]
    fn adding_an_existing_disk_creates_no_file() {
        let body = spec(|s| add_existing_disk_change(s, "[ds1] web01/web01.vmdk", 1000, 1));
        assert!(body.contains(concat!(
            "<spec><deviceChange><operation>add</operation>",
            r#"<device xsi:type="VirtualDisk"><key>-1</key>"#,
            r#"<backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds1] web01/web01.vmdk</fileName><diskMode>persistent</diskMode></backing>"#,
            "<controllerKey>1000</controllerKey><unitNumber>1</unitNumber><capacityInKB>0</capacityInKB>",
            "</device></deviceChange></spec>"
        )), "{body}");
        assert!(!body.contains("fileOperation"), "{body}");
    }

    #[test]
    fn removing_a_disk_keeps_its_file() {
        let disk = VirtualDisk {
            key: 2001,
            controller_key: Some(1000),
            unit_number: Some(1),
            file_name: Some("[ds1] web01/web01.vmdk".into()),
            backing_type: Some("VirtualDiskFlatVer2BackingInfo".into()),
            disk_mode: Some("independent_persistent".into()),
            capacity_bytes: Some(4 << 30),
        };
        let body = spec(|s| remove_disk_change(s, &disk));
        assert!(
            body.contains(
                "<operation>remove</operation><device xsi:type=\"VirtualDisk\"><key>2001</key>"
            ),
            "{body}"
        );
        assert!(
            body.contains("<diskMode>independent_persistent</diskMode>"),
            "{body}"
        );
        assert!(
            body.contains("<capacityInKB>4194304</capacityInKB>"),
            "{body}"
        );
        assert!(!body.contains("fileOperation"), "{body}");
        assert!(!body.contains("destroy"), "{body}");
    }

    #[test]
    fn extra_config_is_a_string_option_value() {
        let body = spec(|s| extra_config_option(s, "disk.EnableUUID", "TRUE"));
        assert!(body.contains(r#"<spec><extraConfig><key>disk.EnableUUID</key><value xsi:type="xsd:string">TRUE</value></extraConfig></spec>"#), "{body}");
    }
}
