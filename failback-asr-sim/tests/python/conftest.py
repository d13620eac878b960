"""Start the ASR simulator (``failback-asr-sim``) for the official Python SDK's tests.

The binary is not built here: ``scripts/test`` builds it and names it in the environment
variable ``FAILBACK_ASR_SIM``. Without it the tests fail (they never skip). Each test gets
its own simulator over HTTPS (a CA generated at start, written to a temporary directory)
and an ``SiteRecoveryManagementClient`` trusting that CA, with the simulator's bearer
token; the simulator stops when its standard input closes, at teardown.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient

ENV = "FAILBACK_ASR_SIM"

# The simulated clock runs this many times faster than real time; every lab job takes
# JOB_SECONDS simulated seconds: 0.1 s of real time, so a poll or two sees it running.
TIME_SCALE = 6000
JOB_SECONDS = 600
# The simulator's Retry-After (the SDK waits what it says, else its polling interval).
RETRY_AFTER = 0
POLLING_INTERVAL = 0.02
PAGE_SIZE = 5


class StaticToken:
    """A credential that hands out the simulator's bearer token."""

    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, int(time.time()) + 3600)


@dataclass
class Exchange:
    """One HTTP request and its response, as the SDK's pipeline saw them."""

    method: str
    url: str
    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class Sim:
    """A running simulator and a client of it."""

    info: dict[str, Any]
    client: SiteRecoveryManagementClient
    rg: str
    vault: str
    exchanges: list[Exchange] = field(default_factory=list)

    def record(self, pipeline_response: Any) -> None:
        """The client's ``raw_response_hook``: keep every exchange."""
        req = pipeline_response.http_request
        resp = pipeline_response.http_response
        try:
            text = resp.text()
            body = json.loads(text) if text else None
        except Exception:  # a streamed body not read yet, or not JSON
            body = None
        self.exchanges.append(
            Exchange(
                method=req.method,
                url=req.url,
                status=resp.status_code,
                headers={k.lower(): v for k, v in resp.headers.items()},
                body=body,
            )
        )


def binary() -> str:
    path = os.environ.get(ENV)
    if not path:
        pytest.fail(
            f"{ENV} is not set: build the simulator (cargo build -p failback-asr-sim "
            f"--bin failback-asr-sim) and set {ENV} to the binary's path "
            "(scripts/test does both)",
            pytrace=False,
        )
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"{ENV}={path}: no executable file there", pytrace=False)
    return path


@pytest.fixture
def start_sim(tmp_path):
    """``start_sim(flavor, vms=…, seed=…, time_scale=…)``: a simulator of a generated lab
    (seed 5: a recovery plan or two, a few items already replicating back), and a client."""
    procs: list[subprocess.Popen] = []
    sims: list[Sim] = []

    def start(flavor: str = "classic", vms: int = 20, seed: int = 5, time_scale: float = TIME_SCALE) -> Sim:
        ca = tmp_path / f"ca-{len(procs)}.pem"
        cmd = [
            binary(),
            "--vms", str(vms),
            "--seed", str(seed),
            "--flavor", flavor,
            "--time-scale", str(time_scale),
            "--job-seconds", str(JOB_SECONDS),
            "--retry-after", str(RETRY_AFTER),
            "--page-size", str(PAGE_SIZE),
            "--ca-out", str(ca),
        ]
        proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        procs.append(proc)
        line = proc.stdout.readline()
        if not line:
            code = proc.wait(timeout=10)
            pytest.fail(f"{' '.join(cmd)} exited ({code}) without its JSON line", pytrace=False)
        info = json.loads(line)
        assert info["ca"] == str(ca) and ca.is_file(), info
        assert info["https"].startswith("https://localhost:"), info
        sim = Sim(info=info, client=None, rg=info["resource_group"], vault=info["vault"])  # type: ignore[arg-type]
        sim.client = SiteRecoveryManagementClient(
            StaticToken(info["token"]),
            info["subscription"],
            base_url=info["https"],
            api_version="2025-08-01",
            connection_verify=str(ca),
            polling_interval=POLLING_INTERVAL,
            raw_response_hook=sim.record,
        )
        sims.append(sim)
        return sim

    yield start

    for sim in sims:
        sim.client.close()
    for proc in procs:
        proc.stdin.close()
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("the simulator did not stop when its standard input closed")
        assert code == 0, f"the simulator exited with {code}"
