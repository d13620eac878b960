"""The failback of every item of a classic vault with the official SDK, item by item, in
the sequential style of Microsoft's samples: ``begin_reprotect(...).result()``, then
``begin_unplanned_failover(...).result()``, then ``begin_failover_commit(...).result()``.

Run by ``failback-asr-sim/examples/vs_python_sdk.rs`` (not a test: pytest collects
``test_*.py`` only). Reads its configuration as JSON on standard input (``url``, ``ca``,
``token``, ``subscription``, ``resource_group``, ``vault``); prints ``{"done": N,
"failed": [...]}``. The reprotect inputs come from discovery as the adapter chooses them:
a master target of the item's OS family, the process server in Azure, the master
target's roomiest retention volume and first datastore, the item's vCenter's run-as
account and the vault's InMage policy.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from azure.core.credentials import AccessToken
from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient
from azure.mgmt.recoveryservicessiterecovery import models as m


class StaticToken:
    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, int(time.time()) + 3600)


def main() -> int:
    cfg = json.load(sys.stdin)
    client = SiteRecoveryManagementClient(
        StaticToken(cfg["token"]),
        cfg["subscription"],
        base_url=cfg["url"],
        connection_verify=cfg["ca"],
    )
    rg, vault = cfg["resource_group"], cfg["vault"]
    fabric = next(iter(client.replication_fabrics.list(rg, vault)))
    container = next(
        iter(client.replication_protection_containers.list_by_replication_fabrics(rg, vault, fabric.name))
    )
    details = fabric.properties.custom_details
    ps = next(p for p in details.process_servers if "/Microsoft.Compute/virtualMachines/" in (p.host_id or ""))
    policy = next(
        p
        for p in client.replication_policies.list(rg, vault)
        if p.properties.provider_specific_details.instance_type == "InMage"
    )
    run_as = {
        vc.properties.infrastructure_id: vc.properties.run_as_account_id
        for vc in client.replicationv_centers.list_by_replication_fabrics(rg, vault, fabric.name)
    }
    items = list(client.replication_protected_items.list(rg, vault))
    done, failed = 0, []
    for it in items:
        name = it.name
        args = (rg, vault, fabric.name, container.name, name)
        try:
            ops = it.properties.allowed_operations or []
            if "ReverseReplicate" in ops:
                d = it.properties.provider_specific_details
                os_type = (getattr(d, "os_type", None) or "").lower()
                mt = next(
                    (t for t in details.master_target_servers if (t.os_type or "").lower() == os_type),
                    details.master_target_servers[0],
                )
                body = m.ReverseReplicationInput(
                    properties=m.ReverseReplicationInputProperties(
                        failover_direction="RecoveryToPrimary",
                        provider_specific_details=m.InMageReprotectInput(
                            master_target_id=mt.id,
                            process_server_id=ps.id,
                            retention_drive=max(
                                mt.retention_volumes, key=lambda r: r.free_space_in_bytes or 0
                            ).volume_name,
                            datastore_name=mt.data_stores[0].symbolic_name,
                            run_as_account_id=run_as.get(getattr(d, "v_center_infrastructure_id", None)),
                            profile_id=policy.id,
                        ),
                    )
                )
                client.replication_protected_items.begin_reprotect(*args, body).result()
            failover = m.UnplannedFailoverInput(
                properties=m.UnplannedFailoverInputProperties(
                    failover_direction="RecoveryToPrimary",
                    source_site_operations="Required",
                    provider_specific_details=m.InMageUnplannedFailoverInput(recovery_point_type="LatestTime"),
                )
            )
            client.replication_protected_items.begin_unplanned_failover(*args, failover).result()
            client.replication_protected_items.begin_failover_commit(*args).result()
            done += 1
        except Exception as e:  # one item's failure is reported, the others go on
            failed.append({"item": name, "error": str(e)[:300]})
    json.dump({"done": done, "items": len(items), "failed": failed}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
