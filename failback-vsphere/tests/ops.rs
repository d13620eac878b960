//! The VM operations against vcsim: a replica's existing disk attached to a master target
//! and detached again with its file kept, `disk.EnableUUID`, power, snapshots, failed
//! tasks surfacing their fault, and a read-only user refused with the privilege named.
//!
//! They need Go and govmomi (`apt-get install -y golang-go
//! golang-github-vmware-govmomi-dev`); without them they fail with that command, never
//! skip.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use failback_core::ErrorKind;
use failback_vsphere::soap::{ManagedObjectReference, ObjectSpec, PropertyFilterSpec, PropertySpec};
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
