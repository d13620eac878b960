//! The lab's verifier: the verify gate's checks answered from the model. The lab's VMs and
//! addresses are not on any network, so nothing connects and no command runs: a check
//! passes when the item's on-premises VM runs and its guest answers, unless the lab's
//! settings make the item fail its checks.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::state::Shared;
use failback_core::provider::{CheckOutcome, Verifier, VmRuntime};
use failback_core::runbook::CheckSpec;

/// The lab's [`Verifier`], from [`LabSite::verifier`](super::LabSite::verifier).
pub struct LabVerifier {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for LabVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabVerifier")
            .field("failing_checks", &self.shared.settings.failing_checks)
            .field("silent_guests", &self.shared.settings.silent_guests)
            .finish_non_exhaustive()
    }
}

impl LabVerifier {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        LabVerifier { shared }
    }
}

fn fail(detail: String) -> CheckOutcome {
    CheckOutcome { ok: false, detail }
}

#[async_trait]
impl Verifier for LabVerifier {
    async fn check(
        &self,
        item: &str,
        _vm: &VmRuntime,
        check: &CheckSpec,
        _timeout: Duration,
    ) -> CheckOutcome {
        let what = match check {
            CheckSpec::Tcp { port, .. } => format!("TCP port {port}"),
            CheckSpec::Command { argv, .. } => format!("`{}`", argv.join(" ")),
        };
        let settings = &self.shared.settings;
        let (st, _) = self.shared.lock();
        let Some(i) = st.item_by_id_or_name(item) else {
            return fail(format!("{item}: {what}: no such item in the lab"));
        };
        let id = st.estate.items[i].id.clone();
        let Some(vm) = st.vm_runtime(i, &settings.silent_guests) else {
            return fail(format!("{item}: {what}: no on-premises VM"));
        };
        if !vm.powered_on {
            return fail(format!("{item}: {what}: VM {} is powered off", vm.vm));
        }
        if vm.guest_running != Some(true) {
            return fail(format!(
                "{item}: {what}: the guest of VM {} does not answer",
                vm.vm
            ));
        }
        if settings.failing_checks.contains(&id) {
            return fail(format!(
                "{item}: {what} failed on VM {} (the lab's settings make its checks fail)",
                vm.vm
            ));
        }
        CheckOutcome {
            ok: true,
            detail: format!("{item}: {what} passed on VM {} (lab model)", vm.vm),
        }
    }
}
