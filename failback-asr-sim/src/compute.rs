//! `GET /subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Compute/virtualMachines/{name}`:
//! the Azure VMs the lab's items failed over to, as Microsoft.Compute shows them, with
//! their instance view (power state, VM agent). A VM is found in its resource group
//! now: one the lab deleted, or moved to another group, is not found at the id ASR
//! recorded.

use axum::http::StatusCode;
use axum::response::Response;
use failback_azure::models as m;

use crate::arm::arm_error;
use crate::ids::{guid, last_segment};
use crate::routes::Ctx;

/// The api-versions the Compute reads are answered for.
pub(crate) const API_VERSIONS: [&str; 1] = [m::COMPUTE_API_VERSION];

/// The VM `name` of resource group `group`.
pub(crate) async fn vm(ctx: &Ctx, subscription: &str, group: &str, name: &str) -> Response {
    let vault = &ctx.shared.settings.vault;
    if !subscription.eq_ignore_ascii_case(&vault.subscription) {
        return arm_error(
            &ctx.id,
            StatusCode::NOT_FOUND,
            "SubscriptionNotFound",
            &format!("the subscription '{subscription}' could not be found"),
        );
    }
    let estate = ctx.shared.lab.estate_with_points_of(&[]);
    let lab = &ctx.shared.lab;
    let found = estate.items.iter().find_map(|it| {
        let v = it.azure_vm.as_ref()?;
        let deleted = v.deleted || lab.item(&it.id).is_some_and(|view| view.azure_vm_deleted);
        (!deleted
            && v.resource_group.eq_ignore_ascii_case(group)
            && last_segment(&v.id).eq_ignore_ascii_case(name))
        .then_some((it, v))
    });
    let Some((it, v)) = found else {
        return arm_error(
            &ctx.id,
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            &format!(
                "The Resource 'Microsoft.Compute/virtualMachines/{name}' under resource group '{group}' was not found."
            ),
        );
    };
    let expand = ctx
        .param("$expand")
        .is_some_and(|e| e.eq_ignore_ascii_case("instanceView"));
    let now = ctx.shared.lab.now();
    let instance_view = expand.then(|| {
        let mut statuses = vec![m::InstanceViewStatus {
            code: Some("ProvisioningState/succeeded".into()),
            level: Some("Info".into()),
            display_status: Some("Provisioning succeeded".into()),
            time: Some(now),
            ..m::InstanceViewStatus::default()
        }];
        // The lab's power state now (the failover back shuts the VM down); a VM whose
        // state the estate leaves unknown shows none.
        let running = lab.item(&it.id).map(|view| view.azure_vm_running);
        let power = match (v.running, running) {
            (None, _) => None,
            (_, Some(true)) => Some(("running", "VM running")),
            (_, _) => Some(("deallocated", "VM deallocated")),
        };
        if let Some((code, text)) = power {
            statuses.push(m::InstanceViewStatus {
                code: Some(format!("PowerState/{code}")),
                level: Some("Info".into()),
                display_status: Some(text.into()),
                ..m::InstanceViewStatus::default()
            });
        }
        m::VirtualMachineInstanceView {
            statuses,
            vm_agent: None,
        }
    });
    let names = crate::ids::Names::of(vault, &estate);
    let body = m::VirtualMachine {
        id: names.vm_in(&v.resource_group, &last_segment(&v.id)),
        name: last_segment(&v.id),
        resource_type: Some("Microsoft.Compute/virtualMachines".into()),
        location: estate.azure_region.clone(),
        system_data: None,
        properties: m::VirtualMachineProperties {
            vm_id: Some(guid(&format!("azure-vm:{}", v.id))),
            provisioning_state: Some("Succeeded".into()),
            instance_view,
        },
    };
    ctx.ok(&body)
}
