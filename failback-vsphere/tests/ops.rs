//! The VM operations against vcsim: a replica's existing disk attached to a master target
//! and detached again with its file kept, `disk.EnableUUID`, power, snapshots, failed
//! tasks surfacing their fault, and a read-only user refused with the privilege named.
//!
//! They need Go and govmomi (`apt-get install -y golang-go
//! golang-github-vmware-govmomi-dev`); without them they fail with that command, never
//! skip.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use failback_core::ErrorKind;
use failback_vsphere::soap::{
    ManagedObjectReference, ObjectSpec, PropertyFilterSpec, PropertySpec,
};
use failback_vsphere::vcsim::{Vcsim, VcsimBuilder};
use failback_vsphere::{Client, Connection, VirtualDisk};

/// Starts a simulator or fails the test with the harness's error (never a skip).
fn start(builder: VcsimBuilder) -> Vcsim {
    match builder.start() {
        Ok(sim) => sim,
        Err(e) => panic!("vcsim did not start: {e}"),
    }
}

async fn connect_as(vc: &Vcsim, user: &str, password: &str) -> Client {
    let conn = Connection::builder()
        .url(vc.url())
        .username(user)
        .password(password)
        .build()
        .unwrap();
    Client::connect(conn)
        .await
        .unwrap_or_else(|e| panic!("connect to {} as {user}: {e}", vc.url()))
}

async fn connect(vc: &Vcsim) -> Client {
    connect_as(vc, vc.user(), vc.password()).await
}

/// The VMs by name: (name, reference), sorted.
async fn vms(client: &Client) -> Vec<(String, ManagedObjectReference)> {
    let view = client.container_view("VirtualMachine", true).await.unwrap();
    let objects = client
        .retrieve_view(&view, "VirtualMachine", &["name"])
        .await
        .unwrap();
    client.destroy_view(&view).await.unwrap();
    let mut out: Vec<_> = objects
        .into_iter()
        .map(|o| {
            let name = o.get("name").and_then(|v| v.as_str()).unwrap().to_string();
            (name, o.obj)
        })
        .collect();
    out.sort();
    out
}

/// The first datastore of a VM (`datastore`).
async fn datastore_of(client: &Client, vm: &ManagedObjectReference) -> ManagedObjectReference {
    let objects = client
        .retrieve(PropertyFilterSpec::new(
            vec![PropertySpec::new("VirtualMachine", ["datastore"])],
            vec![ObjectSpec::object(vm.clone())],
        ))
        .await
        .unwrap();
    objects[0].get("datastore").unwrap().morefs()[0].clone()
}

/// `[LocalDS_0] dir/file.vmdk` → (`dir`, `file.vmdk`).
fn split_path(path: &str) -> (String, String) {
    let (_, rest) = path.split_once("] ").unwrap();
    let (dir, file) = rest.rsplit_once('/').unwrap();
    (dir.to_string(), file.to_string())
}

/// A free unit number on `controller` (7 is the SCSI controller's own).
fn free_unit(disks: &[VirtualDisk], controller: i32) -> i32 {
    (0..16)
        .find(|u| {
            *u != 7
                && !disks
                    .iter()
                    .any(|d| d.controller_key == Some(controller) && d.unit_number == Some(*u))
        })
        .unwrap()
}

/// A master target, a replica VM, the replica's disk file and a free slot on the master
/// target's disk controller.
struct Setup {
    client: Client,
    master: ManagedObjectReference,
    replica: ManagedObjectReference,
    disk_file: String,
    controller: i32,
    unit: i32,
}

async fn setup(vc: &Vcsim) -> Setup {
    let client = connect(vc).await;
    let all = vms(&client).await;
    assert!(all.len() >= 2, "{all:?}");
    let master = all[0].1.clone();
    let replica = all[1].1.clone();
    let replica_disks = client.vm_disks(&replica).await.unwrap();
    let disk_file = replica_disks[0].file_name.clone().unwrap();
    let master_disks = client.vm_disks(&master).await.unwrap();
    let controller = master_disks[0].controller_key.unwrap();
    let unit = free_unit(&master_disks, controller);
    Setup {
        client,
        master,
        replica,
        disk_file,
        controller,
        unit,
    }
}

#[tokio::test]
async fn attaching_a_disk_to_a_master_target_and_detaching_it_keeps_the_file() {
    let vc = start(Vcsim::builder().vms(2));
    let s = setup(&vc).await;
    let client = &s.client;
    let before = client.vm_disks(&s.master).await.unwrap();
    assert!(
        before
            .iter()
            .all(|d| d.file_name.as_deref() != Some(&s.disk_file)),
        "{before:?}"
    );

    client
        .reconfigure_add_existing_disk(&s.master, &s.disk_file, s.controller, s.unit)
        .await
        .unwrap();
    let attached = client.vm_disks(&s.master).await.unwrap();
    assert_eq!(attached.len(), before.len() + 1, "{attached:?}");
    let disk = attached
        .iter()
        .find(|d| d.file_name.as_deref() == Some(&s.disk_file))
        .unwrap_or_else(|| panic!("{} not on the master target: {attached:?}", s.disk_file));
    assert_eq!(disk.controller_key, Some(s.controller));
    assert_eq!(disk.unit_number, Some(s.unit));
    assert_eq!(disk.disk_mode.as_deref(), Some("persistent"));
    assert_eq!(
        disk.backing_type.as_deref(),
        Some("VirtualDiskFlatVer2BackingInfo")
    );
    // The replica still has its disk too (the file is shared, not moved).
    let replica_disks = client.vm_disks(&s.replica).await.unwrap();
    assert!(replica_disks
        .iter()
        .any(|d| d.file_name.as_deref() == Some(&s.disk_file)));

    client
        .reconfigure_remove_disk_keep_file(&s.master, disk.key)
        .await
        .unwrap();
    let detached = client.vm_disks(&s.master).await.unwrap();
    assert_eq!(detached, before, "the device is gone, the others unchanged");

    // The file is still on the datastore.
    let ds = datastore_of(client, &s.master).await;
    let (dir, file) = split_path(&s.disk_file);
    let files = client.datastore_files(&ds, &dir).await.unwrap();
    let vmdk = files
        .iter()
        .find(|f| f.name == file)
        .unwrap_or_else(|| panic!("{file} is gone from {dir}: {files:?}"));
    assert_eq!(vmdk.path, s.disk_file);
    assert_eq!(vmdk.file_type, "VmDiskFileInfo");
}

#[tokio::test]
async fn disk_enable_uuid_is_set_and_read_back_the_last_key_winning() {
    let vc = start(Vcsim::builder().vms(1));
    let client = connect(&vc).await;
    let vm = vms(&client).await[0].1.clone();
    assert_eq!(
        client
            .extra_config_value(&vm, "disk.EnableUUID")
            .await
            .unwrap(),
        None
    );
    client
        .set_extra_config(&vm, "disk.EnableUUID", "TRUE")
        .await
        .unwrap();
    assert_eq!(
        client
            .extra_config_value(&vm, "disk.EnableUUID")
            .await
            .unwrap()
            .as_deref(),
        Some("TRUE")
    );
    // vcsim appends a key set again rather than replace it: the last one is the value.
    client
        .set_extra_config(&vm, "disk.EnableUUID", "FALSE")
        .await
        .unwrap();
    let all = client.extra_config(&vm).await.unwrap();
    let values: Vec<&str> = all
        .iter()
        .filter(|(k, _)| k == "disk.EnableUUID")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(values, ["TRUE", "FALSE"], "{all:?}");
    assert_eq!(
        client
            .extra_config_value(&vm, "disk.EnableUUID")
            .await
            .unwrap()
            .as_deref(),
        Some("FALSE")
    );
}

/// The VM's `runtime.powerState`.
async fn power_state(client: &Client, vm: &ManagedObjectReference) -> String {
    let objects = client
        .retrieve(PropertyFilterSpec::new(
            vec![PropertySpec::new("VirtualMachine", ["runtime.powerState"])],
            vec![ObjectSpec::object(vm.clone())],
        ))
        .await
        .unwrap();
    objects[0]
        .get("runtime.powerState")
        .and_then(|v| v.as_str())
        .unwrap()
        .to_string()
}

/// The VM's snapshots (`snapshot.rootSnapshotList[].snapshot`, the roots only).
async fn root_snapshots(client: &Client, vm: &ManagedObjectReference) -> Vec<String> {
    let objects = client
        .retrieve(PropertyFilterSpec::new(
            vec![PropertySpec::new("VirtualMachine", ["snapshot"])],
            vec![ObjectSpec::object(vm.clone())],
        ))
        .await
        .unwrap();
    let Some(info) = objects[0].get("snapshot").and_then(|v| v.as_object()) else {
        return Vec::new();
    };
    info.node()
        .children("rootSnapshotList")
        .map(|s| s.moref("snapshot").unwrap().value)
        .collect()
}

#[tokio::test]
async fn power_off_and_on_and_a_snapshot_created_and_removed() {
    let vc = start(Vcsim::builder().vms(1));
    let client = connect(&vc).await;
    let vm = vms(&client).await[0].1.clone();
    assert_eq!(power_state(&client, &vm).await, "poweredOn");
    client.power_off(&vm).await.unwrap();
    assert_eq!(power_state(&client, &vm).await, "poweredOff");
    client.power_on(&vm).await.unwrap();
    assert_eq!(power_state(&client, &vm).await, "poweredOn");

    let snapshot = client
        .create_snapshot(&vm, "before failback")
        .await
        .unwrap();
    assert_eq!(snapshot.mo_type, "VirtualMachineSnapshot");
    assert_eq!(
        root_snapshots(&client, &vm).await,
        vec![snapshot.value.clone()]
    );
    client.remove_snapshot(&snapshot).await.unwrap();
    assert!(root_snapshots(&client, &vm).await.is_empty());
    // Gone: removing it again names the object that is not there.
    let e = client.remove_snapshot(&snapshot).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::NotFound), "{e}");
}

#[tokio::test]
async fn a_destroyed_vm_is_gone_and_its_disk_file_with_it() {
    let vc = start(Vcsim::builder().vms(2));
    let client = connect(&vc).await;
    let all = vms(&client).await;
    let vm = all[1].1.clone();
    let file = client.vm_disks(&vm).await.unwrap()[0]
        .file_name
        .clone()
        .unwrap();
    let ds = datastore_of(&client, &vm).await;
    client.power_off(&vm).await.unwrap();
    client.destroy(&vm).await.unwrap();
    let names: Vec<String> = vms(&client).await.into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, [all[0].0.clone()]);
    let (dir, _) = split_path(&file);
    let e = client.datastore_files(&ds, &dir).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::NotFound), "{e}");
}

#[tokio::test]
async fn a_failed_task_surfaces_its_fault() {
    let vc = start(Vcsim::builder().vms(2));
    let s = setup(&vc).await;
    let client = &s.client;

    // Powered on already: InvalidPowerState, a conflict, with the task's JobError.
    let e = client.power_on(&s.master).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Conflict), "{e}");
    assert!(e.to_string().contains("InvalidPowerState"), "{e}");
    let job = e.provider_error().unwrap().job_error.clone().unwrap();
    assert_eq!(job.code.as_deref(), Some("InvalidPowerState"));

    // A disk file that is not there: FileNotFound, not found, naming the file.
    let missing = s.disk_file.replace("disk1.vmdk", "no-such-disk.vmdk");
    let e = client
        .reconfigure_add_existing_disk(&s.master, &missing, s.controller, s.unit)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::NotFound), "{e}");
    assert!(e.to_string().contains("FileNotFound"), "{e}");
    let job = e.provider_error().unwrap().job_error.clone().unwrap();
    assert_eq!(job.code.as_deref(), Some("FileNotFound"));

    // A unit number taken by the master target's own disk: InvalidDeviceSpec, the
    // request's input refused.
    let own = client.vm_disks(&s.master).await.unwrap()[0].clone();
    let e = client
        .reconfigure_add_existing_disk(
            &s.master,
            &s.disk_file,
            own.controller_key.unwrap(),
            own.unit_number.unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::InvalidInput), "{e}");
    let job = e.provider_error().unwrap().job_error.clone().unwrap();
    assert_eq!(job.code.as_deref(), Some("InvalidDeviceSpec"));
    assert_eq!(client.vm_disks(&s.master).await.unwrap().len(), 1);

    // A device key the VM does not have: vcsim 0.24.2 reports success and does nothing
    // (vCenter refuses it with InvalidDeviceSpec), so the operation checks the key first.
    let e = client
        .reconfigure_remove_disk_keep_file(&s.master, 4242)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::NotFound), "{e}");
    assert!(e.to_string().contains("4242"), "{e}");
    let raw = client
        .run_task(
            "ReconfigVM_Task",
            &s.master,
            |w| {
                w.element("spec", |s| {
                    s.element("deviceChange", |c| {
                        c.text("operation", "remove");
                        c.typed_element("device", "VirtualDisk", |d| {
                            d.int("key", 4242).int("capacityInKB", 0);
                        });
                    });
                });
            },
            std::time::Duration::from_secs(30),
        )
        .await;
    assert!(raw.is_ok(), "vcsim now refuses the remove: {raw:?}");
}

#[tokio::test]
async fn a_read_only_user_attaching_a_disk_is_refused_with_the_privilege_named() {
    let vc = start(
        Vcsim::builder()
            .vms(2)
            .readonly_user("auditor", "R3ad-0nly!"),
    );
    let s = setup(&vc).await;
    let (user, password) = vc.readonly_user().unwrap();
    let ro = connect_as(&vc, user, password).await;
    let before = ro.vm_disks(&s.master).await.unwrap();
    let e = ro
        .reconfigure_add_existing_disk(&s.master, &s.disk_file, s.controller, s.unit)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::PermissionDenied), "{e}");
    let shown = e.to_string();
    assert!(shown.contains("NoPermission"), "{shown}");
    assert!(
        shown.contains("VirtualMachine.Config.AddExistingDisk"),
        "{shown}"
    );
    assert!(shown.contains(&s.master.value), "{shown}");
    assert_eq!(ro.vm_disks(&s.master).await.unwrap(), before);
    // Nor may it detach one.
    let e = ro
        .reconfigure_remove_disk_keep_file(&s.master, before[0].key)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::PermissionDenied), "{e}");
    assert!(
        e.to_string().contains("VirtualMachine.Config.RemoveDisk"),
        "{e}"
    );
    // The ReadOnly role holds no Datastore.Browse either: the check of the kept file
    // needs an account that may browse.
    let ds = datastore_of(&ro, &s.master).await;
    let (dir, _) = split_path(&s.disk_file);
    let e = ro.datastore_files(&ds, &dir).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::PermissionDenied), "{e}");
    assert!(e.to_string().contains("Datastore.Browse"), "{e}");
}

#[tokio::test]
async fn an_operation_on_a_vm_that_is_gone_is_not_found() {
    let vc = start(Vcsim::builder().vms(1));
    let client = connect(&vc).await;
    let gone = ManagedObjectReference::new("VirtualMachine", "vm-424242");
    let e = client.power_off(&gone).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::NotFound), "{e}");
    assert!(e.to_string().contains("vm-424242"), "{e}");
    let e = client.vm_disks(&gone).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::NotFound), "{e}");
}
