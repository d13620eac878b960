"""The official Python SDK of Azure Site Recovery against the simulator, over HTTPS.

Discovery reads (fabrics, protection containers, vCenters, replication protected items
with their provider details, recovery points, policies, recovery plans, jobs), then the
failback of one lab item as an operator would script it with the SDK: classic
(``InMage`` reprotect, ``InMage`` unplanned failover to the latest point, commit) and
modernized (``InMageRcm`` reprotect, ``InMageRcmFailback`` planned failover, commit),
each long-running operation polled by the SDK's own ARM poller to its result, and the
job of each read back. The bodies are built from what discovery returned, as the Azure
adapter builds them (failback-azure/src/provider/bodies.rs).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient
from azure.mgmt.recoveryservicessiterecovery import models as m

from conftest import JOB_SECONDS, PAGE_SIZE, RETRY_AFTER, Sim, StaticToken
from sdk_shapes import check


def last_segment(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def only(values):
    values = list(values)
    assert len(values) == 1, values
    return values[0]


class Vault:
    """What discovery found: the fabric, its container, the items by name."""

    def __init__(self, sim: Sim) -> None:
        c, rg, v = sim.client, sim.rg, sim.vault
        self.fabric = only(c.replication_fabrics.list(rg, v))
        self.container = only(
            c.replication_protection_containers.list_by_replication_fabrics(rg, v, self.fabric.name)
        )
        self.items = {it.name: it for it in c.replication_protected_items.list(rg, v)}
        self.policies = list(c.replication_policies.list(rg, v))

    def policy(self, instance_type: str) -> m.Policy:
        return next(
            p for p in self.policies if p.properties.provider_specific_details.instance_type == instance_type
        )


def operate(sim: Sim, vault: Vault, begin, item: str, *body) -> tuple[m.ReplicationProtectedItem, str]:
    """Run one item operation to its result with the SDK's poller; check the protocol the
    poller saw (a 202 with the operation's headers, status polls, the final GET at
    ``Location``) and return the item it gives and the operation's job name."""
    start = len(sim.exchanges)
    poller = begin(sim.rg, sim.vault, vault.fabric.name, vault.container.name, item, *body)
    result = poller.result()
    assert poller.status() == "Succeeded", poller.status()
    seen = sim.exchanges[start:]
    post = seen[0]
    assert post.method == "POST" and post.status == 202, (post.method, post.url, post.status, post.body)
    for header in ("location", "azure-asyncoperation", "retry-after", "x-ms-request-id"):
        assert header in post.headers, (header, post.headers)
    status_url = post.headers["azure-asyncoperation"]
    job = last_segment(status_url)
    assert last_segment(post.headers["location"]) == job
    polls = [e for e in seen if e.method == "GET" and e.url == status_url]
    assert polls, [e.url for e in seen]
    assert all(e.status == 200 for e in polls)
    assert polls[-1].body["status"] == "Succeeded", polls[-1].body
    assert {e.body["status"] for e in polls} <= {"InProgress", "Succeeded"}
    for e in polls:
        assert e.body["name"] == job and e.body["startTime"], e.body
        # ARM's asynchronous operation: a running one says when to poll again.
        if e.body["status"] == "InProgress":
            assert e.headers.get("retry-after") == str(RETRY_AFTER), e.headers
    assert polls[-1].body["endTime"], polls[-1].body
    final = seen[-1]
    assert (final.method, final.url, final.status) == ("GET", post.headers["location"], 200), (
        final.method,
        final.url,
        final.status,
    )
    assert isinstance(result, m.ReplicationProtectedItem)
    assert result.name == item
    check("result", result)
    return result, job


def check_job(sim: Sim, job: str, rpi: m.ReplicationProtectedItem, scenario: str) -> m.Job:
    """The job of an operation, read back: succeeded on the item, with its tasks."""
    j = sim.client.replication_jobs.get(sim.rg, sim.vault, job)
    check("job", j)
    p = j.properties
    assert j.name == job
    assert p.state == "Succeeded", (job, p.state, p.errors)
    assert p.scenario_name == scenario, p.scenario_name
    assert p.target_object_id.lower() == rpi.id.lower(), (p.target_object_id, rpi.id)
    assert p.target_instance_type != "RecoveryPlan"
    assert p.tasks, f"job {job} shows no tasks"
    assert all(t.state == "Succeeded" for t in p.tasks), [(t.name, t.state) for t in p.tasks]
    assert p.start_time is not None and p.end_time is not None
    assert p.end_time - p.start_time == timedelta(seconds=JOB_SECONDS), (p.start_time, p.end_time)
    return j


def test_discovery_reads(start_sim):
    sim = start_sim("classic", vms=20)
    c, rg, v = sim.client, sim.rg, sim.vault

    fabric = only(c.replication_fabrics.list(rg, v))
    assert fabric.type == "Microsoft.RecoveryServices/vaults/replicationFabrics"
    details = fabric.properties.custom_details
    assert isinstance(details, m.VMwareDetails), type(details)
    assert details.process_servers and details.master_target_servers and details.run_as_accounts
    assert c.replication_fabrics.get(rg, v, fabric.name).id == fabric.id
    check("fabric", fabric)

    container = only(c.replication_protection_containers.list_by_replication_fabrics(rg, v, fabric.name))
    assert c.replication_protection_containers.get(rg, v, fabric.name, container.name).id == container.id
    assert [pc.id for pc in c.replication_protection_containers.list(rg, v)] == [container.id]
    check("container", container)

    vcenters = list(c.replicationv_centers.list_by_replication_fabrics(rg, v, fabric.name))
    assert vcenters and all(vc.properties.run_as_account_id for vc in vcenters)
    check("vcenter", vcenters)

    # 20 items over pages of PAGE_SIZE, followed by the SDK's pager through nextLink.
    start = len(sim.exchanges)
    items = list(c.replication_protected_items.list(rg, v))
    assert len(items) == 20
    assert len(sim.exchanges) - start == -(-20 // PAGE_SIZE)
    assert len({it.name for it in items}) == 20
    check("item", items)
    by_container = list(
        c.replication_protected_items.list_by_replication_protection_containers(
            rg, v, fabric.name, container.name
        )
    )
    assert [it.id for it in by_container] == [it.id for it in items]
    kinds = {type(it.properties.provider_specific_details) for it in items}
    assert m.InMageAzureV2ReplicationDetails in kinds, kinds
    replicating = [
        it for it in items if isinstance(it.properties.provider_specific_details, m.InMageReplicationDetails)
    ]
    assert replicating, "the lab has items replicating back to on-premises (InMage)"
    for it in items:
        d = it.properties.provider_specific_details
        assert it.properties.friendly_name and it.properties.active_location in ("Recovery", "Primary")
        assert d.protected_disks, it.name
        got = c.replication_protected_items.get(rg, v, fabric.name, container.name, it.name)
        assert got.id == it.id and got.properties.protection_state == it.properties.protection_state

    # Recovery points of an item replicating to on-premises.
    it = replicating[0]
    points = list(
        c.recovery_points.list_by_replication_protected_items(rg, v, fabric.name, container.name, it.name)
    )
    assert points, f"{it.name} shows no recovery points"
    for p in points:
        assert p.properties.recovery_point_time is not None
        assert p.properties.recovery_point_type, p.as_dict()
    check("point", points)
    point = c.recovery_points.get(rg, v, fabric.name, container.name, it.name, points[0].name)
    assert point.id == points[0].id

    policies = list(c.replication_policies.list(rg, v))
    kinds = {p.properties.provider_specific_details.instance_type for p in policies}
    assert {"InMage", "InMageAzureV2"} <= kinds, kinds
    assert c.replication_policies.get(rg, v, policies[0].name).id == policies[0].id
    check("policy", policies)

    plans = list(c.replication_recovery_plans.list(rg, v))
    assert plans
    for plan in plans:
        assert plan.properties.groups, plan.name
        assert c.replication_recovery_plans.get(rg, v, plan.name).id == plan.id
    check("plan", plans)

    jobs = list(c.replication_jobs.list(rg, v))
    check("job", jobs)
    for j in jobs:
        assert c.replication_jobs.get(rg, v, j.name).id == j.id


def test_classic_reprotect_failover_commit(start_sim):
    sim = start_sim("classic", vms=20)
    c, rg, v = sim.client, sim.rg, sim.vault
    vault = Vault(sim)
    # An item failed over to Azure, as a failback begins, whose vCenter ASR knows (the
    # run-as account of the reprotect is that vCenter's).
    rpi = next(
        it
        for it in vault.items.values()
        if isinstance(it.properties.provider_specific_details, m.InMageAzureV2ReplicationDetails)
        and it.properties.active_location == "Recovery"
        and it.properties.provider_specific_details.v_center_infrastructure_id
    )
    assert "ReverseReplicate" in rpi.properties.allowed_operations, rpi.properties.allowed_operations
    fabric = vault.fabric.properties.custom_details
    mt = fabric.master_target_servers[0]
    ps = next(p for p in fabric.process_servers if "/Microsoft.Compute/virtualMachines/" in (p.host_id or ""))
    retention = max(mt.retention_volumes, key=lambda r: r.free_space_in_bytes or 0).volume_name
    datastore = mt.data_stores[0].symbolic_name
    vcenter_id = rpi.properties.provider_specific_details.v_center_infrastructure_id
    vcenters = list(c.replicationv_centers.list_by_replication_fabrics(rg, v, vault.fabric.name))
    vcenter = next(vc for vc in vcenters if vc.properties.infrastructure_id == vcenter_id)
    policy = vault.policy("InMage")

    reprotect_input = m.ReverseReplicationInput(
        properties=m.ReverseReplicationInputProperties(
            failover_direction="RecoveryToPrimary",
            provider_specific_details=m.InMageReprotectInput(
                master_target_id=mt.id,
                process_server_id=ps.id,
                retention_drive=retention,
                datastore_name=datastore,
                run_as_account_id=vcenter.properties.run_as_account_id,
                profile_id=policy.id,
            ),
        )
    )
    reprotected, reprotect_job = operate(
        sim, vault, c.replication_protected_items.begin_reprotect, rpi.name, reprotect_input
    )
    d = reprotected.properties.provider_specific_details
    assert isinstance(d, m.InMageReplicationDetails), reprotected.as_dict()
    assert reprotected.properties.active_location == "Recovery"
    assert d.master_target_id == mt.id and d.process_server_id == ps.id, d.as_dict()
    assert reprotected.properties.policy_id.lower() == policy.id.lower()
    assert "UnplannedFailover" in reprotected.properties.allowed_operations
    points = list(
        c.recovery_points.list_by_replication_protected_items(
            rg, v, vault.fabric.name, vault.container.name, rpi.name
        )
    )
    assert points, "no recovery points after the reprotect"

    failover_input = m.UnplannedFailoverInput(
        properties=m.UnplannedFailoverInputProperties(
            failover_direction="RecoveryToPrimary",
            source_site_operations="Required",
            provider_specific_details=m.InMageUnplannedFailoverInput(recovery_point_type="LatestTime"),
        )
    )
    failed_back, failover_job = operate(
        sim, vault, c.replication_protected_items.begin_unplanned_failover, rpi.name, failover_input
    )
    assert failed_back.properties.active_location == "Primary", failed_back.as_dict()
    assert "Commit" in failed_back.properties.allowed_operations, failed_back.properties.allowed_operations

    committed, commit_job = operate(sim, vault, c.replication_protected_items.begin_failover_commit, rpi.name)
    assert committed.properties.active_location == "Primary"
    assert "Commit" not in (committed.properties.allowed_operations or [])
    again = c.replication_protected_items.get(rg, v, vault.fabric.name, vault.container.name, rpi.name)
    assert again.properties.protection_state == committed.properties.protection_state

    jobs = [
        check_job(sim, reprotect_job, rpi, "ReverseReplication"),
        check_job(sim, failover_job, rpi, "UnplannedFailover"),
        check_job(sim, commit_job, rpi, "CommitFailover"),
    ]
    listed = {j.name for j in c.replication_jobs.list(rg, v)}
    assert {j.name for j in jobs} <= listed, listed
    since = jobs[0].properties.start_time.strftime("%Y-%m-%dT%H:%M:%SZ")
    filtered = {j.name for j in c.replication_jobs.list(rg, v, filter=f"startTime ge '{since}'")}
    assert {j.name for j in jobs} <= filtered, filtered


def test_modernized_reprotect_planned_failover_commit(start_sim):
    sim = start_sim("modernized", vms=20)
    c, rg, v = sim.client, sim.rg, sim.vault
    vault = Vault(sim)
    fabric = vault.fabric.properties.custom_details
    assert isinstance(fabric, m.InMageRcmFabricSpecificDetails), type(fabric)
    rpi = next(
        it
        for it in vault.items.values()
        if isinstance(it.properties.provider_specific_details, m.InMageRcmReplicationDetails)
        and it.properties.active_location == "Recovery"
    )
    # The appliance's first reprotect agent and a datastore it reaches (the operator's
    # choice: the adapter takes the agent the request names).
    agent = next(a for a in fabric.reprotect_agents if a.accessible_datastores)
    datastore = agent.accessible_datastores[0]
    log = next(
        disk.log_storage_account_id
        for disk in rpi.properties.provider_specific_details.protected_disks
        if disk.log_storage_account_id
    )
    policy = vault.policy("InMageRcmFailback")
    reprotect_input = m.ReverseReplicationInput(
        properties=m.ReverseReplicationInputProperties(
            failover_direction="RecoveryToPrimary",
            provider_specific_details=m.InMageRcmReprotectInput(
                reprotect_agent_id=agent.id,
                datastore_name=datastore,
                log_storage_account_id=log,
                policy_id=policy.id,
            ),
        )
    )
    reprotected, reprotect_job = operate(
        sim, vault, c.replication_protected_items.begin_reprotect, rpi.name, reprotect_input
    )
    d = reprotected.properties.provider_specific_details
    assert isinstance(d, m.InMageRcmFailbackReplicationDetails), reprotected.as_dict()
    assert reprotected.properties.active_location == "Recovery"
    assert "PlannedFailover" in reprotected.properties.allowed_operations

    failover_input = m.PlannedFailoverInput(
        properties=m.PlannedFailoverInputProperties(
            provider_specific_details=m.InMageRcmFailbackPlannedFailoverProviderInput(
                recovery_point_type="CrashConsistent"
            ),
        )
    )
    failed_back, failover_job = operate(
        sim, vault, c.replication_protected_items.begin_planned_failover, rpi.name, failover_input
    )
    assert failed_back.properties.active_location == "Primary"
    assert "Commit" in failed_back.properties.allowed_operations

    committed, commit_job = operate(sim, vault, c.replication_protected_items.begin_failover_commit, rpi.name)
    assert "Commit" not in (committed.properties.allowed_operations or [])

    check_job(sim, reprotect_job, rpi, "ReverseReplication")
    check_job(sim, failover_job, rpi, "PlannedFailover")
    check_job(sim, commit_job, rpi, "CommitFailover")


def test_errors_are_arm_errors_the_sdk_maps(start_sim):
    sim = start_sim("classic", vms=20)
    c, rg, v = sim.client, sim.rg, sim.vault
    vault = Vault(sim)
    f, pc = vault.fabric.name, vault.container.name

    with pytest.raises(ResourceNotFoundError) as e:
        c.replication_protected_items.get(rg, v, f, pc, "no-such-item")
    assert e.value.status_code == 404 and e.value.error.code == "ResourceNotFound", e.value
    assert e.value.response.headers.get("x-ms-request-id")

    with pytest.raises(ResourceNotFoundError) as e:
        c.replication_jobs.get(rg, v, "no-such-job")
    assert e.value.error.code == "ResourceNotFound"

    # A commit of an item that has not failed over: the state refuses it (409), before
    # any operation starts.
    azure_v2 = next(
        it
        for it in vault.items.values()
        if isinstance(it.properties.provider_specific_details, m.InMageAzureV2ReplicationDetails)
    )
    with pytest.raises(ResourceExistsError) as e:
        c.replication_protected_items.begin_failover_commit(rg, v, f, pc, azure_v2.name)
    assert e.value.status_code == 409 and e.value.error.code == "OperationNotAllowed", e.value
    assert e.value.error.message

    # A reprotect input of the other flavour: 400 naming the field at fault.
    wrong = m.ReverseReplicationInput(
        properties=m.ReverseReplicationInputProperties(
            failover_direction="RecoveryToPrimary",
            provider_specific_details=m.InMageRcmReprotectInput(
                reprotect_agent_id="ra", datastore_name="ds", log_storage_account_id="log"
            ),
        )
    )
    with pytest.raises(HttpResponseError) as e:
        c.replication_protected_items.begin_reprotect(rg, v, f, pc, azure_v2.name, wrong)
    assert e.value.status_code == 400 and e.value.error.code == "InvalidProviderInput", e.value
    assert e.value.error.target == "properties.providerSpecificDetails.instanceType"

    # A required input left out (the master target).
    missing = {
        "properties": {
            "failoverDirection": "RecoveryToPrimary",
            "providerSpecificDetails": {
                "instanceType": "InMage",
                "masterTargetId": "",
                "processServerId": "ps",
                "retentionDrive": "R:",
                "profileId": vault.policy("InMage").id,
            },
        }
    }
    with pytest.raises(HttpResponseError) as e:
        c.replication_protected_items.begin_reprotect(rg, v, f, pc, azure_v2.name, missing)
    assert e.value.status_code == 400 and e.value.error.code == "InvalidInput", e.value
    assert e.value.error.target == "properties.providerSpecificDetails.masterTargetId"

    # No operation started: the item is as it was.
    again = c.replication_protected_items.get(rg, v, f, pc, azure_v2.name)
    assert again.properties.protection_state == azure_v2.properties.protection_state
    assert not list(c.replication_jobs.list(rg, v))


def test_a_client_without_the_token_is_refused(start_sim):
    sim = start_sim("classic", vms=4)
    stranger = SiteRecoveryManagementClient(
        StaticToken("not-the-token"),
        sim.info["subscription"],
        base_url=sim.info["https"],
        api_version="2025-08-01",
        connection_verify=sim.info["ca"],
    )
    with stranger, pytest.raises(ClientAuthenticationError) as e:
        list(stranger.replication_fabrics.list(sim.rg, sim.vault))
    assert e.value.status_code == 401 and e.value.error.code == "AuthenticationFailed", e.value


def test_a_running_operation_shows_and_its_poller_resumes(start_sim):
    # Jobs of 600 simulated seconds at 600 times real time: a second to watch one run.
    sim = start_sim("classic", vms=20, time_scale=JOB_SECONDS)
    c, rg, v = sim.client, sim.rg, sim.vault
    vault = Vault(sim)
    f, pc = vault.fabric.name, vault.container.name
    rpi = next(
        it
        for it in vault.items.values()
        if isinstance(it.properties.provider_specific_details, m.InMageReplicationDetails)
        and "UnplannedFailover" in it.properties.allowed_operations
    )
    failover_input = m.UnplannedFailoverInput(
        properties=m.UnplannedFailoverInputProperties(
            failover_direction="RecoveryToPrimary",
            source_site_operations="Required",
            provider_specific_details=m.InMageUnplannedFailoverInput(recovery_point_type="LatestTag"),
        )
    )
    started = c.replication_protected_items.begin_unplanned_failover(rg, v, f, pc, rpi.name, failover_input)
    token = started.continuation_token()
    post = next(e for e in reversed(sim.exchanges) if e.method == "POST")
    assert post.status == 202, post
    job = last_segment(post.headers["azure-asyncoperation"])

    running = c.replication_protected_items.get(rg, v, f, pc, rpi.name)
    scenario = running.properties.current_scenario
    assert scenario.scenario_name == "UnplannedFailover", scenario.as_dict()
    assert last_segment(scenario.job_id) == job, scenario.as_dict()
    check("item", running)
    j = c.replication_jobs.get(rg, v, job)
    assert j.properties.state == "InProgress", j.properties.state
    assert "Cancel" in j.properties.allowed_actions
    assert [t.state for t in j.properties.tasks] == ["InProgress"]
    assert j.properties.end_time is None
    check("job", j)
    assert any(jj.name == job for jj in c.replication_jobs.list(rg, v))

    # Another poller takes the operation over from the first one's continuation token.
    resumed = c.replication_protected_items.begin_unplanned_failover(
        rg, v, f, pc, rpi.name, None, continuation_token=token
    )
    item = resumed.result()
    assert resumed.status() == "Succeeded"
    assert item.properties.active_location == "Primary"
    assert "Commit" in item.properties.allowed_operations
    assert started.result().properties.active_location == "Primary"
    check_job(sim, job, rpi, "UnplannedFailover")


def test_cancelling_a_job(start_sim):
    # A reprotect of 600 simulated seconds at 60 times real time: cancelled long before
    # it ends.
    sim = start_sim("classic", vms=20, time_scale=60)
    c, rg, v = sim.client, sim.rg, sim.vault
    vault = Vault(sim)
    f, pc = vault.fabric.name, vault.container.name
    rpi = next(
        it
        for it in vault.items.values()
        if isinstance(it.properties.provider_specific_details, m.InMageReplicationDetails)
        and "UnplannedFailover" in it.properties.allowed_operations
    )
    failover_input = m.UnplannedFailoverInput(
        properties=m.UnplannedFailoverInputProperties(
            failover_direction="RecoveryToPrimary",
            provider_specific_details=m.InMageUnplannedFailoverInput(recovery_point_type="LatestTime"),
        )
    )
    failover = c.replication_protected_items.begin_unplanned_failover(rg, v, f, pc, rpi.name, failover_input)
    post = next(e for e in reversed(sim.exchanges) if e.method == "POST")
    job = last_segment(post.headers["azure-asyncoperation"])

    # The cancel is an operation of its own, which succeeds with the cancelled job.
    cancelled = c.replication_jobs.begin_cancel(rg, v, job).result()
    check("job", cancelled)
    assert isinstance(cancelled, m.Job) and cancelled.name == job, cancelled
    assert cancelled.properties.state == "Cancelled", cancelled.properties.state
    assert cancelled.properties.end_time is not None

    # The failover's own operation ends canceled, its error saying so.
    with pytest.raises(HttpResponseError) as e:
        failover.result()
    assert e.value.error.code == "JobCanceled", e.value
    status = next(e for e in reversed(sim.exchanges) if e.url == post.headers["azure-asyncoperation"])
    assert status.body["status"] == "Canceled", status.body
    item = c.replication_protected_items.get(rg, v, f, pc, rpi.name)
    assert item.properties.current_scenario.scenario_name == "None"

    # A job that has ended cannot be cancelled again: 409.
    with pytest.raises(ResourceExistsError) as e:
        c.replication_jobs.begin_cancel(rg, v, job)
    assert e.value.error.code == "OperationNotAllowed", e.value


def classic_reprotect_input(vault: Vault) -> m.ReverseReplicationInput:
    """An ``InMage`` reprotect with the first master target (its roomiest retention
    volume, its first datastore), the process server in Azure and the failback policy."""
    fabric = vault.fabric.properties.custom_details
    mt = fabric.master_target_servers[0]
    ps = next(p for p in fabric.process_servers if "/Microsoft.Compute/virtualMachines/" in (p.host_id or ""))
    return m.ReverseReplicationInput(
        properties=m.ReverseReplicationInputProperties(
            failover_direction="RecoveryToPrimary",
            provider_specific_details=m.InMageReprotectInput(
                master_target_id=mt.id,
                process_server_id=ps.id,
                retention_drive=max(mt.retention_volumes, key=lambda r: r.free_space_in_bytes or 0).volume_name,
                datastore_name=mt.data_stores[0].symbolic_name,
                profile_id=vault.policy("InMage").id,
            ),
        )
    )


def test_classic_recovery_plan_failover_and_commit(start_sim):
    sim = start_sim("classic", vms=20)
    c, rg, v = sim.client, sim.rg, sim.vault
    vault = Vault(sim)
    def members_of(plan: m.RecoveryPlan) -> list[m.ReplicationProtectedItem]:
        return [
            vault.items[last_segment(i.id)]
            for g in plan.properties.groups
            for i in g.replication_protected_items or []
        ]

    # A plan whose items all failed over to Azure.
    plan = next(
        p
        for p in c.replication_recovery_plans.list(rg, v)
        if all(
            isinstance(it.properties.provider_specific_details, m.InMageAzureV2ReplicationDetails)
            for it in members_of(p)
        )
    )
    members = members_of(plan)
    assert members, plan.as_dict()
    # Reprotected member by member (a plan's reprotect is deprecated).
    for rpi in members:
        reprotect_input = classic_reprotect_input(vault)
        operate(sim, vault, c.replication_protected_items.begin_reprotect, rpi.name, reprotect_input)
    plan = c.replication_recovery_plans.get(rg, v, plan.name)
    assert "UnplannedFailover" in plan.properties.allowed_operations, plan.properties.allowed_operations

    failover_input = m.RecoveryPlanUnplannedFailoverInput(
        properties=m.RecoveryPlanUnplannedFailoverInputProperties(
            failover_direction="RecoveryToPrimary",
            source_site_operations="Required",
            provider_specific_details=[m.RecoveryPlanInMageFailoverInput(recovery_point_type="LatestTime")],
        )
    )
    start = len(sim.exchanges)
    failed_back = c.replication_recovery_plans.begin_unplanned_failover(rg, v, plan.name, failover_input).result()
    post = sim.exchanges[start]
    assert post.method == "POST" and post.status == 202, post
    job = last_segment(post.headers["azure-asyncoperation"])
    assert isinstance(failed_back, m.RecoveryPlan) and failed_back.name == plan.name
    check("plan", failed_back)
    assert "Commit" in failed_back.properties.allowed_operations, failed_back.properties.allowed_operations
    j = c.replication_jobs.get(rg, v, job)
    check("job", j)
    assert j.properties.state == "Succeeded" and j.properties.target_instance_type == "RecoveryPlan"
    assert j.properties.scenario_name == "UnplannedFailover"
    groups = [t for t in j.properties.tasks if t.task_type == "GroupTaskDetails"]
    assert groups, [t.as_dict() for t in j.properties.tasks]
    children = [
        ch.custom_details.job_task.target_object_id.lower()
        for t in groups
        for ch in t.group_task_custom_details.child_tasks
    ]
    assert sorted(children) == sorted(rpi.id.lower() for rpi in members), children
    for rpi in members:
        it = c.replication_protected_items.get(rg, v, vault.fabric.name, vault.container.name, rpi.name)
        assert it.properties.active_location == "Primary"

    committed = c.replication_recovery_plans.begin_failover_commit(rg, v, plan.name).result()
    assert isinstance(committed, m.RecoveryPlan)
    assert "Commit" not in (committed.properties.allowed_operations or [])
    for rpi in members:
        it = c.replication_protected_items.get(rg, v, vault.fabric.name, vault.container.name, rpi.name)
        assert "Commit" not in (it.properties.allowed_operations or [])
